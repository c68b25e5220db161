import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * An IAM role whose added permissions land in a customer-managed policy of its own instead of the
 * default inline policy, which the HIPAA, NIST and PCI packs reject (IAMNoInlinePolicy). Every
 * grant counts: `queue.grantSendMessages(fn)`, `table.grantReadData(fn)` and aws-cdk-lib's own
 * `addToRolePolicy` calls all go through `addToPrincipalPolicy`.
 *
 * The policy is created with the first statement, so a role that is never granted anything has
 * none, and it is a child of the role: whatever depends on the role (a Lambda function does)
 * waits for its permissions too.
 */
export class ManagedPolicyRole extends iam.Role {
  private grantsPolicy?: iam.ManagedPolicy;

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.grantsPolicy ??= new iam.ManagedPolicy(this, 'Policy', {
      description: `The permissions granted to ${this.node.path}`,
      roles: [this],
    });
    this.grantsPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.grantsPolicy };
  }
}
