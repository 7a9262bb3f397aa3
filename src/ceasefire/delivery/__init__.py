"""Getting notifications out: rendering messages per recipient, channels, the worker loop."""
