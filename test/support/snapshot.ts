import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * The stack's template with asset hashes replaced, so a snapshot does not change with the machine
 * or the aws-cdk-lib build that bundled an asset.
 */
export function normalizedTemplate(stack: Stack): unknown {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(json.replace(/[0-9a-f]{64}/g, '[ASSET-HASH]'));
}
