"""Imports every model module so that mappers and Alembic see the whole schema."""

from .accounts.models import ProducerMember, User  # noqa: F401
from .cart.models import Cart, CartLine  # noqa: F401
from .catalogue.models import (  # noqa: F401
    Brand,
    Category,
    Certification,
    Producer,
    ProducerEvent,
    Product,
    ProductEvent,
    ProductImage,
    ProductVariant,
    WholesaleTier,
)
from .checkout.models import Address, ShippingRate, StripeEvent  # noqa: F401
from .core.models import CacheVersion  # noqa: F401
from .core.ratelimit import RateLimitHit  # noqa: F401
from .curation.models import ProductReview  # noqa: F401
from .curation.revision_models import ProductRevision  # noqa: F401
from .insight.models import DirectSale  # noqa: F401
from .missions.models import (  # noqa: F401
    Deal,
    DealVoid,
    MissionDeskStaff,
    MissionEvent,
    MissionPartner,
    MissionProducer,
    TradeMission,
)
from .notifications.models import Notification  # noqa: F401
from .orders.models import (  # noqa: F401
    Order,
    OrderEvent,
    OrderLine,
    Refund,
    Shipment,
    ShipmentEvent,
)
from .regions.models import Region  # noqa: F401
from .search.models import (  # noqa: F401
    SearchDocumentRow,
    SearchFacetCount,
    SearchIndexState,
    SearchQueueEntry,
    SearchTerm,
)
from .seller.changelog import VariantChange  # noqa: F401
from .seller.models import ProducerInvite  # noqa: F401
