// The public API of AuroraDatabase; the other modules of this folder are internal.
export { AuroraDatabase } from './aurora-database';
export type { AuroraDatabaseProps, AuroraReaderAutoScaling, AuroraServerlessCapacity } from './aurora-database';
