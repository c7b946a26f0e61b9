"""Campaigns (e.g. "Ngày hội toàn dân học tập số", 10/10) with emulation boards, and the public screens."""
