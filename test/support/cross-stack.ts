import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { newApp, TEST_ENV } from './app';

/**
 * The split the cross-stack tests build their patterns in: a `Prod` stage (TEST_ENV) of a `Data`
 * stack, for a server, and an `App` stack, for its clients, which depends on it. The dependency is
 * said outright: a one-way reference alone synthesizes fine, and would hide a rule or a grant that
 * points back at the client's stack.
 */
export function clientAfterServer(): { readonly app: App; readonly stage: Stage; readonly dataStack: Stack; readonly appStack: Stack } {
  const app = newApp();
  const stage = new Stage(app, 'Prod', { env: TEST_ENV });
  const dataStack = new Stack(stage, 'Data');
  const appStack = new Stack(stage, 'App');
  appStack.addStackDependency(dataStack);
  return { app, stage, dataStack, appStack };
}

/**
 * The split the data patterns' cross-stack tests use, as real apps split a data tier: in a `Prod`
 * stage (TEST_ENV), a `Network` stack, a `Shared` one (a key, a backup plan), the `Data` stack of
 * the patterns, and an `App` stack for their clients, defined in the order they deploy.
 */
export function dataTierSplit():
{ readonly stage: Stage; readonly networkStack: Stack; readonly shared: Stack; readonly data: Stack; readonly service: Stack } {
  const stage = new Stage(newApp(), 'Prod', { env: TEST_ENV });
  return {
    stage,
    networkStack: new Stack(stage, 'Network'),
    shared: new Stack(stage, 'Shared'),
    data: new Stack(stage, 'Data'),
    service: new Stack(stage, 'App'),
  };
}

/** The template of each stack, by the same keys: synthesizing the stage is where a cycle between its stacks would throw. */
export function templatesOf<K extends string>(stacks: Record<K, Stack>): Record<K, Template> {
  return Object.fromEntries(Object.entries<Stack>(stacks).map(([key, stack]) => [key, Template.fromStack(stack)])) as Record<K, Template>;
}

/**
 * The stacks a template references: the stack of each Fn::ImportValue's export (`<stack>:<output>`),
 * and each Fn::GetStackOutput's stack, the new-project flags' weak references.
 */
export function referencedStacks(template: Template): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Fn::ImportValue' && typeof inner === 'string') {
          found.add(inner.split(':')[0]);
        } else if (key === 'Fn::GetStackOutput') {
          const stackName = (inner as { StackName?: unknown }).StackName;
          found.add(typeof stackName === 'string' ? stackName : JSON.stringify(stackName));
        } else {
          visit(inner);
        }
      }
    }
  };
  visit(template.toJSON());
  return [...found].sort();
}
