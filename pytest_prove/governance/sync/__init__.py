"""``prove sync``: one configuration update applied to many repositories, recorded, and
undone by ``--rollback``."""
