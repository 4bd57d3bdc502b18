"""The everyday commands' queries and writes, in plain SQL over `qi.gateway` (stdlib only).

Each function takes a `gateway.Db` and plain arguments and returns domain records, like a
service. The ORM services call the same functions over their session's connection
(`gateway.of_session`) where they need the same lookup or record, so each query exists
once. Nothing here imports SQLAlchemy, SQLModel or pydantic (a test checks).
"""
