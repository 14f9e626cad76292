"""The `novacron` command line, built on the SDK. Entry point: novacron_sdk.cli.main:main."""
