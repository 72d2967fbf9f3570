/**
 * A PostgreSQL dialect that retries a read once on a fresh connection when its own connection turned out
 * to be broken (killed by `pg_terminate_backend`, a failover, an idle timeout on the way). Only the first
 * statement on a connection, outside a transaction, that only reads: re-running it elsewhere cannot
 * change anything or lose session state. Everything else fails as it did, and callers decide (the
 * writer retries its batch, the API answers 503).
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  PostgresDialect,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { isConnectionError } from './connection-errors.js';

/** The PostgreSQL dialect with broken-connection retries for reads (see the module comment). */
export class RetryingPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new RetryingDriver(super.createDriver());
  }
}

/** A statement that only reads: a Kysely select, or raw SQL that is a SELECT (or WITH … SELECT) and writes nothing. */
function onlyReads(query: CompiledQuery): boolean {
  if (query.query.kind === 'SelectQueryNode') return true;
  if (query.query.kind !== 'RawNode') return false;
  return /^\s*(select|with)\b/i.test(query.sql) && !/\b(insert|update|delete|merge)\s/i.test(query.sql);
}

class RetryingConnection implements DatabaseConnection {
  current: DatabaseConnection;
  inTransaction = false;
  readonly #driver: Driver;
  #used = false;

  constructor(driver: Driver, connection: DatabaseConnection) {
    this.#driver = driver;
    this.current = connection;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const result = await this.current.executeQuery<R>(query);
      this.#used = true;
      return result;
    } catch (error) {
      if (this.#used || this.inTransaction || !isConnectionError(error) || !onlyReads(query)) throw error;
      this.#used = true;
      const broken = this.current;
      this.current = await this.#driver.acquireConnection();
      // The pool drops a client that is not queryable any more instead of handing it out again.
      await this.#driver.releaseConnection(broken);
      return this.current.executeQuery<R>(query);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    this.#used = true;
    return this.current.streamQuery<R>(query, chunkSize);
  }
}

class RetryingDriver implements Driver {
  readonly #inner: Driver;

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RetryingConnection(this.#inner, await this.#inner.acquireConnection());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const retrying = connection as RetryingConnection;
    retrying.inTransaction = true;
    await this.#inner.beginTransaction(retrying.current, settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const retrying = connection as RetryingConnection;
    try {
      await this.#inner.commitTransaction(retrying.current);
    } finally {
      retrying.inTransaction = false;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const retrying = connection as RetryingConnection;
    try {
      await this.#inner.rollbackTransaction(retrying.current);
    } finally {
      retrying.inTransaction = false;
    }
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: Parameters<NonNullable<Driver['savepoint']>>[2],
  ): Promise<void> {
    await this.#inner.savepoint?.((connection as RetryingConnection).current, name, compileQuery);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2],
  ): Promise<void> {
    await this.#inner.rollbackToSavepoint?.((connection as RetryingConnection).current, name, compileQuery);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: Parameters<NonNullable<Driver['releaseSavepoint']>>[2],
  ): Promise<void> {
    await this.#inner.releaseSavepoint?.((connection as RetryingConnection).current, name, compileQuery);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection((connection as RetryingConnection).current);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}
