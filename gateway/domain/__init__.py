"""The canonical model: the gateway's own language, standard library only."""
