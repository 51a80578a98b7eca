"""Editorial content: articles and their blocks, cause types, methods and their facts,
comparisons, aftercare timelines, item lists and the clinic profile (DESIGN §4)."""

from content.models.aftercare import (  # noqa: F401
    Aftercare,
    AftercareEntry,
    AftercareStage,
    AftercareTrack,
)
from content.models.articles import (  # noqa: F401
    NEEDS_REFERENCE,
    Article,
    ArticleBlock,
)
from content.models.causes import (  # noqa: F401
    CauseType,
)
from content.models.comparisons import (  # noqa: F401
    Comparison,
    ComparisonColumn,
    ComparisonRow,
)
from content.models.fields import (  # noqa: F401
    HttpsURLField,
    grid_problems,
    method_cell,
    position_field,
    slug_constraints,
    slug_field,
)
from content.models.images import (  # noqa: F401
    Image,
    Rendition,
)
from content.models.lists import (  # noqa: F401
    ItemList,
    ListItem,
)
from content.models.methods import (  # noqa: F401
    Criterion,
    Method,
    MethodFact,
)
from content.models.profile import (  # noqa: F401
    ClinicChannel,
    ClinicProfile,
)
