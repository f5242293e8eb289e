"""orgplane: organizations, memberships, invitations and teams for B2B auth on AWS."""

from orgplane import snapstart as snapstart  # registers the SnapStart after-restore hook at import
