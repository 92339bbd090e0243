"""acl_util — ACLs written straight into ZooKeeper the way Kafka's AclAuthorizer (ZooKeeper
mode) stores them, with kazoo, for the authorization tests. Independent of the broker's own
code: the layout is the one in /work/shared/reference/kafka-protocol.md (ZooKeeper table).

  LITERAL   /kafka-acl/<Type>/<name>,  notification /kafka-acl-changes/acl_changes_<seq>
            with data "<Type>:<name>"
  PREFIXED  /kafka-acl-extended/prefixed/<Type>/<name>, notification
            /kafka-acl-extended-changes/acl_changes_<seq> with data
            {"version":1,"resourceType":"TOPIC","name":...,"patternType":"PREFIXED"}
  data      {"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow",
            "operation":"Read","host":"*"}]}

An entry is (principal, host, operation, permission), e.g.
("User:ANONYMOUS", "*", "Write", "Deny"). `zk` is a started KazooClient in the cluster's chroot.
"""

import json

from kazoo.exceptions import NoNodeError, NodeExistsError

ANON = "User:ANONYMOUS"
LITERAL, PREFIXED = "LITERAL", "PREFIXED"
# Kafka's ResourceType names as the extended notification spells them.
_WIRE_TYPE = {"Topic": "TOPIC", "Group": "GROUP", "Cluster": "CLUSTER",
              "TransactionalId": "TRANSACTIONAL_ID", "DelegationToken": "DELEGATION_TOKEN",
              "User": "USER"}


def resource_path(rtype, name, pattern=LITERAL):
    if pattern == LITERAL:
        return "/kafka-acl/%s/%s" % (rtype, name)
    return "/kafka-acl-extended/prefixed/%s/%s" % (rtype, name)


def _notify(zk, rtype, name, pattern):
    if pattern == LITERAL:
        zk.ensure_path("/kafka-acl-changes")
        zk.create("/kafka-acl-changes/acl_changes_", ("%s:%s" % (rtype, name)).encode(),
                  sequence=True)
    else:
        zk.ensure_path("/kafka-acl-extended-changes")
        data = {"version": 1, "resourceType": _WIRE_TYPE[rtype], "name": name,
                "patternType": "PREFIXED"}
        zk.create("/kafka-acl-extended-changes/acl_changes_", json.dumps(data).encode(),
                  sequence=True)


def put_acls(zk, rtype, name, pattern, entries):
    """Replaces the ACLs of one resource pattern with `entries`, then notifies the brokers."""
    path = resource_path(rtype, name, pattern)
    data = json.dumps({"version": 1, "acls": [
        {"principal": p, "permissionType": perm, "operation": op, "host": h}
        for (p, h, op, perm) in entries]}).encode()
    try:
        zk.create(path, data, makepath=True)
    except NodeExistsError:
        zk.set(path, data)
    _notify(zk, rtype, name, pattern)


def delete_acls(zk, rtype, name, pattern=LITERAL):
    """Removes the resource pattern's znode (all its ACLs), then notifies the brokers."""
    try:
        zk.delete(resource_path(rtype, name, pattern))
    except NoNodeError:
        pass
    _notify(zk, rtype, name, pattern)
