"""Commands of the certificates package."""

commands: list = []
