"""The `lagw` command line and the server it starts: the entry points besides the web app."""
