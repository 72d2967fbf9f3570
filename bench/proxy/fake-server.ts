/** Child-process entry: the fake provider of the tests, answering the benchmark's load; prints its URL. */
import { FakeProvider } from '../../test/fake-provider/fake-provider.js';

const fake = await FakeProvider.start();
fake.recordExchanges = false;
process.stdout.write(`${fake.url}\n`);
process.on('SIGTERM', () => {
  fake.close().then(() => process.exit(0));
});
