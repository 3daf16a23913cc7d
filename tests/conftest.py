"""Session-wide test plugins."""

# Every log line of the session is checked for names and ID numbers in clear.
pytest_plugins = ["pytester", "tests.support.log_guard"]
