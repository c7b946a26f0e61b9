"""Commands of the coverage package."""

commands: list = []
