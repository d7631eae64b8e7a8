"""Trade missions (Misi Dagang): the deal desk, the live tally and the public summary."""
