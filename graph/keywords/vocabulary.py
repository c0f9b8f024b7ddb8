"""The word lists keyword extraction is built on: what ends a phrase, what is too vague alone."""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["BREAK_WORDS", "GENERIC_WORDS"]


def _english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, read from their own module file.

    Importing anything under ``sklearn`` runs the package's ``__init__``, which pulls in
    scipy.stats and more: 0.5-0.8 s of every build's start-up for one frozenset. The
    list's module has no imports of its own, so it is loaded alone when it is where
    scikit-learn keeps it, and through the package otherwise.
    """
    spec = importlib.util.find_spec("sklearn")
    where = spec.submodule_search_locations if spec is not None else None
    path = Path(next(iter(where or ["."]))) / "feature_extraction" / "_stop_words.py"
    alone = importlib.util.spec_from_file_location("_paperweb_stop_words", path)
    if path.is_file() and alone is not None and alone.loader is not None:
        module = importlib.util.module_from_spec(alone)
        alone.loader.exec_module(module)
        return frozenset(module.ENGLISH_STOP_WORDS)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


# Words that end a phrase: English function words and the verbs and fillers of abstracts.
BREAK_WORDS = (
    _english_stop_words()
    | frozenset(
        """we our us propose proposed proposes present presents presented introduce introduces
    introduced show shows shown showed demonstrate demonstrates demonstrated achieve achieves
    achieved achieving use uses used using based paper papers work works study studies
    approach approaches method methods technique techniques result results experiment
    experiments experimental extensive comprehensive novel new existing various different
    significant significantly substantially state art improve improves improved improving
    outperform outperforms outperforming compared compare comparison including include
    includes provide provides provided enable enables enabling leverage leverages leveraging
    allow allows address addresses furthermore moreover however additionally specifically
    particular particularly recently recent commonly widely effectively efficiently key
    important crucial challenging challenge challenges problem problems issue issues
    remain remains paradigm lead leads require requiring degrade degrades emerged emerge
    emerges access reason reasons yield yields make makes making way ways able
    capable given like via e.g i.e et al code available github com http https www
    analyze analyzes analyzing analyse analyses analysing analyzed determine determines
    employ employs employed replace replaces replacing accelerate accelerates accelerating
    limited limit limits promising existence directly actual tailored face faces facing
    learn learns learned learnt obtain obtains obtained require requires required reduce
    reduces reducing reduced increase increases increasing increased apply applies applied
    applying consider considers considered explore explores explored exploring focus
    focuses focused investigate investigates investigated evaluate evaluates evaluating
    develop develops developed developing design designs designed achieve maintain
    maintains maintaining preserve preserves preserving capture captures capturing
    demonstrating showing help helps allowing providing resulting results leading
    call called named termed known well typically often usually also further thus
    hence therefore still even across among within without toward towards upon whereas
    whose whether while first second third one two three four five several many much
    more most less least fewer high higher highest lower lowest better best large larger
    largest small smaller smallest extensive extensively notably
    despite reveal reveals revealed revealing offer offers offering offered define defines
    defined defining perform performs performed performing contribute contributes
    contributed contributing corrects correctly solve solves solving solved suffer suffers suffering remain
    remained remaining exhibit exhibits exhibited exhibiting serve serves serving become
    becomes became becoming needs need needed needing converge converges converged
    aim aims aimed aiming tackle tackles tackled adopt adopts adopted adopting
    incorporate incorporates incorporated incorporating integrate integrates integrated
    integrating combine combines combined combining introduce introducing presenting
    proposing utilize utilizes utilized utilizing utilise utilises utilised achieves
    enhance enhances enhanced enhancing surpass surpasses surpassing establish establishes
    established establishing highlight highlights highlighted highlighting suggest
    suggests suggested suggesting indicate indicates indicated indicating observe observes
    observed observing find finds found finding findings conduct conducts conducted
    conducting report reports reported reporting attain attains attained consistently
    substantial considerable notable remarkable remarkably superior competitive
    comparable crucially importantly simply easily readily naturally potentially
    primarily mainly largely highly fully partially relatively respectively subsequent
    subsequently unavailable rely relies relying facilitate facilitates facilitating ell""".split()
    )
    | frozenset(
        # Evaluative adjectives: they praise or qualify whatever follows them ("diverse user
        # queries", "strong multimodal reasoning"), and name no concept of their own.
        """diverse complex current specific original critical realistic consistent accurate
    reliable precise effective traditional conventional simple strong powerful rich
    typical prior previous future major minor main primary fundamental essential valuable
    useful meaningful relevant appropriate suitable sufficient numerous detailed rigorous
    careful successful impressive excellent exceptional unprecedented vast wide broad
    rapid great huge massive tremendous severe serious clear obvious solid unique
    distinct certain necessary possible additional overall desired desirable favorable
    favourable suboptimal inherent intrinsic sophisticated advanced superior inferior
    accurately reliable robustly diverse varied wide-ranging exact proper correct
    challenging difficult straightforward common popular
    prominent dominant leading top strongest stronger weaker weak poor good
    multiple single real-world high-quality large-scale explicit minimal final practical
    modern external intermediate coherent""".split()
    )
)
# Words that may sit inside a phrase but are too vague to be a keyword on their own.
GENERIC_WORDS = frozenset(
    """model models modeling framework frameworks performance learning network networks
    data dataset datasets task tasks training trained train large small high low deep
    accuracy efficient efficiency effective effectiveness benchmark benchmarks baseline
    baselines analysis algorithm algorithms system systems set sets number numbers time
    times result design level levels process processing application applications
    representation representations feature features structure structures function
    functions theory theoretical empirical empirically practical practice real world
    simple general strong better best good multiple single range scale scales type types
    form forms term terms order orders case cases example examples stateoftheart sota
    fast faster cost costs scheme schemes strategy strategies module modules component
    components tool tools setting settings solution solutions insight insights art
    evaluation evaluate evaluated quality property properties step steps version
    input inputs output outputs information knowledge research field area
    correct balance balances balancing contrast contrasts survey surveys overview review
    codes approach novelty aspect aspects factor factors manner context score scores""".split()
)
