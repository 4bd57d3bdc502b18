"""Use cases: (session, plain arguments) -> domain records.

Services validate, query and change the database through the session they are given;
they raise QiError subclasses and never print or commit (the caller's `db.session()`
is the one transaction of the command).
"""
