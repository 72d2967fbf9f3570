import { Link } from 'wouter-preact';
import { Empty } from '../components/states';

export function NotFound() {
  return (
    <Empty title="No such page.">
      <Link href="/">Back to the overview</Link>
    </Empty>
  );
}
