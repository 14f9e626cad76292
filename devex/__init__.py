"""Documentation assistant, code generator, sandboxes, deployments, CLI and SDK."""
