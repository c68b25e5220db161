/** The order an `order.placed` event carries in its detail, as the workflow passes it on. */
export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  /** In cents. */
  readonly amount: number;
  readonly items: ReadonlyArray<{ readonly sku: string; readonly quantity: number }>;
}

/** An error a task throws on purpose: its name is what the workflow's Catch matches. */
export class OrderError extends Error {
  constructor(name: 'InvalidOrder' | 'PaymentDeclined', message: string) {
    super(message);
    this.name = name;
  }
}
