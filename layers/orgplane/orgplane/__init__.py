"""orgplane: organizations, memberships, invitations and teams for B2B auth on AWS."""
