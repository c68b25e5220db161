import { Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Whether what joins a server to a client in another stack of the app (an ingress rule naming
 * both security groups, an event source mapping naming both a queue and a function, a policy
 * naming both) goes in the client's stack rather than the server's.
 *
 * It goes in whichever of the two stacks CloudFormation deploys later, which may refer to the
 * other: in the earlier one, it would make that stack depend on the later one too, a cycle
 * `cdk synth` refuses. Usually the client's stack is the later one (a function's stack uses the
 * database's VPC, endpoint and secret); a client upstream of its server (a bastion's security
 * group in the network stack the database's stack uses) is the other way round.
 *
 * The order is the stacks' dependencies where one already depends on the other (`addDependency`);
 * otherwise the order in which the stacks were defined: a stack is given what it uses from stacks
 * defined before it, and references only become dependencies when the app is synthesized. Define
 * your stacks in the order they deploy, or say it with `addDependency`.
 */
export function joinsInClientStack(server: IConstruct, client: IConstruct): boolean {
  const serverStack = Stack.of(server);
  const clientStack = Stack.of(client);
  if (serverStack === clientStack || dependsOn(clientStack, serverStack)) {
    return true;
  }
  if (dependsOn(serverStack, clientStack)) {
    return false;
  }
  // Stacks refer to each other only within a stage (the app is one): its tree, in definition order.
  const order = (Stage.of(serverStack) ?? serverStack.node.root).node.findAll();
  return order.indexOf(clientStack) > order.indexOf(serverStack);
}

/** Whether `stack` depends on `other`, directly or through other stacks. */
function dependsOn(stack: Stack, other: Stack, seen = new Set<Stack>()): boolean {
  for (const dependency of stack.dependencies) {
    if (dependency === other) {
      return true;
    }
    if (!seen.has(dependency)) {
      seen.add(dependency);
      if (dependsOn(dependency, other, seen)) {
        return true;
      }
    }
  }
  return false;
}
