"""The search queue (products whose public state changed and the index has not caught
up), and the tables of the PostgreSQL backend's index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db


class SearchQueueEntry(db.Model):
    """One row per change: written in the transaction of the change
    (``catalogue.services.refresh_products``), deleted once the index has it.

    Rows are deleted by their own id, never by product: a change committed while a
    writer was applying an earlier one keeps its row and is applied next. No foreign
    key: a deleted product must still leave the index.
    """

    __tablename__ = "search_queue"
    # Ids are never reused (SQLite would reuse them once the table is empty), so a row
    # id always means the same change.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column()
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- the PostgreSQL backend's index (SEARCH_BACKEND=postgres, search.postgres_backend) ---
#
# The tables exist on every database (the migrations are the same everywhere), but
# only PostgreSQL fills them: on SQLite the two tsvector columns are plain TEXT and
# the GIN index is not created. A variant type rather than a PostgreSQL-only table
# keeps one schema (and one autogenerate baseline) for both databases.

TSVector = Text().with_variant(TSVECTOR(), "postgresql")
# Words are compared byte by byte so that ``LIKE 'kop%'`` walks the primary key.
WordText = Text().with_variant(Text(collation="C"), "postgresql")


class SearchDocumentRow(db.Model):
    """One public product as the PostgreSQL backend searches it.

    ``document`` holds the lexemes of every text field, weighted by where they come
    from (A name, B brand and producer, C category and kabupaten/kota, D description
    and certificates); ``words`` the folded, unstemmed words (for "did you mean" and
    typeahead prefixes). Filters, facets and sorts read the plain columns. Deleting a
    product deletes its row (the queue would remove it too).
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_document", "document", postgresql_using="gin")
        .ddl_if(dialect="postgresql"),
        Index("ix_search_documents_newest", "published_at", "product_id"),
        Index("ix_search_documents_price", "min_price", "product_id"),
        Index("ix_search_documents_category_id", "category_id"),
        Index("ix_search_documents_region_code", "region_code"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"),
                                            primary_key=True, autoincrement=False)
    slug: Mapped[str] = mapped_column(String(180))
    name: Mapped[str] = mapped_column(String(160))
    category_id: Mapped[int] = mapped_column()
    region_code: Mapped[str] = mapped_column(String(5))
    producer_kind: Mapped[str] = mapped_column(String(16))
    # Bit n: whoosh_index.CERTS[n] is public on the product.
    cert_flags: Mapped[int] = mapped_column(SmallInteger, default=0)
    min_price: Mapped[int] = mapped_column(BigInteger)
    # Never NULL, so that one index serves "newest first" (an unpublished date sorts as
    # the oldest, as in the Whoosh index).
    published_at: Mapped[datetime] = mapped_column()
    in_stock: Mapped[bool] = mapped_column()
    short_name: Mapped[bool] = mapped_column()
    document: Mapped[str] = mapped_column(TSVector)
    words: Mapped[str] = mapped_column(TSVector)


class SearchTerm(db.Model):
    """How many documents hold each word (unstemmed, ``surface_docs``) and each lexeme
    (``lexeme_docs``): rarity for ranking, and the vocabulary corrections and
    typeahead prefixes are chosen from. Kept by the writer in the same transaction as
    the documents; rows that fall to zero stay until the next rebuild."""

    __tablename__ = "search_terms"

    word: Mapped[str] = mapped_column(WordText, primary_key=True)
    surface_docs: Mapped[int] = mapped_column(default=0)
    lexeme_docs: Mapped[int] = mapped_column(default=0)


class SearchFacetCount(db.Model):
    """How many documents share each combination of facet values: browsing without
    words counts its facets from these few thousand rows instead of every document.
    Kept by the writer with the documents; rows that fall to zero stay until the
    next rebuild."""

    __tablename__ = "search_facet_counts"

    category_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    region_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    producer_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    cert_flags: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    # The index of backend.PRICE_BUCKETS the lowest price falls in.
    price_bucket: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    documents: Mapped[int] = mapped_column()


class SearchIndexState(db.Model):
    """The one row (id 1) that says an index was built: when, by which analyzer, how
    many documents, and a generation bumped by every committed change (per-worker
    caches are keyed by it). No row: no index yet (``flask search reindex``)."""

    __tablename__ = "search_index_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger)
    documents: Mapped[int] = mapped_column()
    built_at: Mapped[datetime] = mapped_column()
    format: Mapped[str] = mapped_column(String(80))
