// The public API of RelationalDatabase; the other modules of this folder are internal.
export { DatabaseEngine } from '../../building-blocks/sql-database/engines';
export { MasterPassword } from './master-password';
export { RelationalDatabase } from './relational-database';
export type { RelationalDatabaseProps } from './relational-database';
