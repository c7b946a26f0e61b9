"""Commands of the quiz package."""

commands: list = []
