"""The only package that speaks AMQP (pika): topology, confirmed publisher, relay."""
