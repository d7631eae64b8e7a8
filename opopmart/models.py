"""Imports every model module so that mappers and Alembic see the whole schema."""

from .accounts.models import ProducerMember, User  # noqa: F401
from .catalogue.models import (  # noqa: F401
    Brand,
    Category,
    Certification,
    Producer,
    Product,
    ProductEvent,
    ProductImage,
    ProductVariant,
    WholesaleTier,
)
from .core.models import CacheVersion  # noqa: F401
from .core.ratelimit import RateLimitHit  # noqa: F401
from .regions.models import Region  # noqa: F401
from .seller.models import ProducerInvite  # noqa: F401
