"""The home page (a learner's path, or the welcome page) and the language switch."""
