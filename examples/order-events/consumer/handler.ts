import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

interface OrderEvent {
  readonly orderId?: string;
  readonly status?: string;
}

const processor = new BatchProcessor(EventType.SQS);

/**
 * Handles one message. Throwing marks only this message as failed: Powertools reports it in
 * `batchItemFailures`, SQS makes it visible again, and after maxReceiveCount attempts it moves to
 * the queue's dead-letter queue. The rest of the batch is deleted as processed.
 */
async function processOrder(record: SQSRecord): Promise<void> {
  const order = JSON.parse(record.body) as OrderEvent;
  if (!order.orderId) {
    throw new Error(`Message ${record.messageId} carries no orderId`);
  }
  console.log(JSON.stringify({ message: 'order processed', orderId: order.orderId, status: order.status, source: record.eventSourceARN }));
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, processOrder, processor, { context });
