// The public API of DynamoDbTable; validate.ts is internal.
export { DynamoDbTable } from './dynamodb-table';
export type { DynamoDbTableProps } from './dynamodb-table';
export { DynamoDbStreamConsumer } from './stream-consumer';
export type { DynamoDbStreamConsumerOptions, DynamoDbStreamConsumerProps } from './stream-consumer';
