/**
 * The shapes the report reads from a cloud assembly and writes about it. The report reads only
 * files (`cdk.out/`), never the app's constructs, so it works on any CDK app, in any language,
 * with or without this library's patterns.
 */

/** One resource of a CloudFormation template, as far as the report reads it. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly Metadata?: Record<string, any>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** A synthesized CloudFormation template. */
export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly [key: string]: any;
}

/** A node of the cloud assembly's `tree.json`. */
export interface TreeNode {
  readonly id: string;
  readonly path: string;
  readonly constructInfo?: { readonly fqn: string; readonly version?: string };
  readonly children?: Record<string, TreeNode>;
}

/** A nested stack's template, read from the parent stack's file assets. */
export interface NestedStackTemplate {
  /** The nested stack's construct path, e.g. `Data/Tables`. */
  readonly path: string;
  /** The `AWS::CloudFormation::Stack` resource's logical id in its parent's template. */
  readonly logicalId: string;
  /** The template file, absolute. */
  readonly templateFile: string;
  readonly template: Template;
  /** Nested stacks of this nested stack. */
  readonly nestedStacks: NestedStackTemplate[];
}

/** One metadata entry of a stack (`<stack>.metadata.json`, or the manifest's `metadata`). */
export interface MetadataEntry {
  readonly type: string;
  readonly data?: any;
}

/** One deployable stack of the assembly, in a stage (nested assembly) or at its top. */
export interface AssemblyStack {
  /** The stack's construct path (`Prod/Api` in a stage `Prod`, `Api` at the top): how the report names it. */
  readonly path: string;
  /** The artifact id in the manifest. */
  readonly artifactId: string;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  /** The stack's region, undefined when the stack is environment-agnostic. */
  readonly region?: string;
  /** The directory of the (nested) cloud assembly that holds the stack, absolute. */
  readonly assemblyDirectory: string;
  /** The template file, absolute. */
  readonly templateFile: string;
  readonly template: Template;
  /** Its nested stacks (and theirs, recursively in each). */
  readonly nestedStacks: NestedStackTemplate[];
  /** Metadata by construct path (`/Api/Queue/Resource`), from the manifest or `<stack>.metadata.json`. */
  readonly metadata: Record<string, MetadataEntry[]>;
}

/** A cloud assembly: its stacks, from the top and every stage, and its construct tree. */
export interface Assembly {
  /** The top directory (`cdk.out`), absolute. */
  readonly directory: string;
  readonly stacks: AssemblyStack[];
  /** The root of `tree.json`, when the assembly has one. */
  readonly tree?: TreeNode;
}

/** A cdk-nag finding nobody acknowledged. */
export interface Finding {
  /** The pack, e.g. `AwsSolutions`. */
  readonly pack: string;
  /** The rule, e.g. `AwsSolutions-SQS3`. */
  readonly ruleId: string;
  /** The construct path of the resource, without a leading slash. */
  readonly constructPath: string;
  readonly description: string;
}

/** A cdk-nag finding acknowledged (suppressed) in the app, with its reason. */
export interface Acknowledgement {
  readonly ruleId: string;
  readonly reason: string;
  readonly constructPath: string;
}

/** A problem the report's own checks find where cdk-nag has no rule. */
export interface CheckFinding {
  /** A short, stable id, e.g. `BestPracticePatterns-AlarmWithoutAction`. */
  readonly check: string;
  /** The logical id of the resource in its template. */
  readonly logicalId: string;
  /** The construct path (from `aws:cdk:path` metadata) when the template has it, else the logical id. */
  readonly resource: string;
  /** What is wrong and what to do, in one sentence. */
  readonly message: string;
  /** Whether the finding fails the report (exit code 1), or is only reported. */
  readonly fails: boolean;
}

/** One line of the fixed monthly cost estimate. */
export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  /** USD per month; NaN when the price table has no price for the item (said so, never guessed). */
  readonly monthlyUsd: number;
}

/** The fixed monthly cost estimate of one template. */
export interface CostEstimate {
  readonly lines: CostLine[];
  /** The region whose prices were used: the stack's, or `us-east-1` when the table has no prices for it. */
  readonly priceRegion: string;
  /** True when the stack's region is unknown or not in the table, and us-east-1 prices stand in. */
  readonly fallback: boolean;
  /** The month of the price table, e.g. `2026-11`. */
  readonly asOf: string;
  /** The usage-priced services the template uses, which the estimate does not count (e.g. `AWS Lambda`). */
  readonly notCounted: string[];
}
