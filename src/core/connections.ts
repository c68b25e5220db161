import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { joinsInClientStack } from './stack-order';

/**
 * Lets `client` reach `server` on `port`, with the rules that name both security groups in the
 * stack CloudFormation deploys later (see `joinsInClientStack`): the data patterns (a database, a
 * cache) share it for their `allowConnectionsFrom`.
 *
 * Apps usually keep a server in a stack that the client's stack already depends on (the client
 * uses its VPC, its endpoint, its secret). An ingress rule in the server's stack naming the
 * client's security group would make the server's stack depend on the client's too, a cycle
 * `cdk synth` refuses; that is what `server.connections.allowFrom(client)` does. So the server's
 * ingress is then added as a remote rule: aws-cdk-lib's `SecurityGroupBase.determineRuleScope`
 * puts it, as an `AWS::EC2::SecurityGroupIngress`, under the client's group when the groups are
 * in different stacks, and under the server's group, with the id `allowFrom` gives it, when they
 * are in one. The client's egress (where its group does not allow all outbound traffic already)
 * is the client's own rule, in its stack. In one stack the template is what `allowFrom` renders.
 * A client upstream of its server (a bastion in the network stack the server's stack uses) gets
 * the mirror image: both rules in the server's stack.
 *
 * Rather than `client.connections.allowTo(server)`, which places the rules the same way: that
 * adds the client's egress as a local rule, and aws-cdk-lib warns
 * (`@aws-cdk/aws-ec2:ipv4IgnoreEgressRule`) for every client group that allows all outbound
 * traffic, a HardenedFunction's among them.
 *
 * A client without security groups (an `ec2.Peer`) names no construct: its rules stay the
 * server's, as `allowFrom` adds them. The rules cover the groups the two have now.
 *
 * @param server what is connected to: its security groups get the ingress rule
 * @param client who connects
 * @param port the port, or range, the server listens on
 * @param description the rules' description
 */
export function allowClientIn(server: ec2.IConnectable, client: ec2.IConnectable, port: ec2.Port, description: string): void {
  const clientGroups = client.connections.securityGroups;
  if (clientGroups.length === 0) {
    server.connections.allowFrom(client, port, description);
    return;
  }
  for (const serverGroup of server.connections.securityGroups) {
    for (const clientGroup of clientGroups) {
      // A remote rule lands in its peer's stack: the ingress in the client's, or the egress in the server's.
      const inClientStack = joinsInClientStack(serverGroup, clientGroup);
      serverGroup.addIngressRule(clientGroup, port, description, inClientStack);
      if (!clientGroup.allowAllOutbound) {
        clientGroup.addEgressRule(serverGroup, port, description, !inClientStack);
      }
    }
  }
}
