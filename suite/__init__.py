"""The suite as a whole: the `community` command, embedded mode and the dashboard stream."""
