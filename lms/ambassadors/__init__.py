"""Digital ambassadors ("Đại sứ số"): volunteers who register and help the citizens of their commune."""
