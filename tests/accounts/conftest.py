# Email-test fixtures (see mailtools.py), available to every test module here.
from tests.accounts.mailtools import db_tasks, resend_transport  # noqa: F401
