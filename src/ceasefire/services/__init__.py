"""One function per user action; each is one transaction.

Web routes, the CLI and intake channels parse and authenticate, then call
exactly one of these. Services check authorization through
`domain.authorization`, validate against the deployment's scenario, and
write the record, its version and (as later capabilities land) its log leaf
and notifications in the same transaction.
"""
