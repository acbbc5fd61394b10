"""The connection graph: requests, the accepted network and blocks."""
