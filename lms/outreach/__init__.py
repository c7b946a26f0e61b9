"""Outreach (tuyên truyền): the activities a unit records, and the official's periodic report."""
