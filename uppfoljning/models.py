"""Uppföljning: reports and dashboards (filled by the reports issue)."""
