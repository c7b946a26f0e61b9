"""Commands of the classes package."""

commands: list = []
