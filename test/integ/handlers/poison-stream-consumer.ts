/**
 * The DynamoDbTable IntegTest's stream consumer: succeeds for every record except an item marked
 * `poison` (a `poison` attribute that is `true` in the new image), which it always reports as
 * failed. It reports the first failure and stops, as AWS's partial batch response examples for
 * streams do: Lambda checkpoints before that record and retries from it
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html), until
 * the retries run out and the batch's location goes to the consumer's dead-letter queue.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    if (record.dynamodb?.NewImage?.poison?.BOOL === true) {
      console.log(JSON.stringify({ message: 'poison item, failing it', keys: record.dynamodb.Keys, sequenceNumber: record.dynamodb.SequenceNumber }));
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb.SequenceNumber! }] };
    }
  }
  return { batchItemFailures: [] };
}
