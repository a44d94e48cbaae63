"""The four services. Each is a package of the same shape; none imports another."""
