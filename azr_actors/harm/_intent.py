"""Prompt intent: does a request ask for harm, judged from its own content?

Contract: :func:`harmful_intent` returns the names of the intent signals that
fire on a prompt (empty tuple: no harmful intent found). It looks for a harmful
*action aimed at a target* ("kill my neighbour", "make a pipe bomb"), private
data about a real person, discrimination framed as a claim, and jailbreak
wrappers; a violent verb on its own ("kill a Python process") is not enough.
"""

from __future__ import annotations

import re

__all__ = ["harm_topic", "harmful_intent"]

_PERSON = (
    r"(?:someone|somebody|a person|people|(?:my|his|her|their|a|the|our) (?:\w+ )?(?:wife|husband|partner|ex|boss|"
    r"neighbou?r|friend|teacher|coworker|colleague|child|kid|son|daughter|mother|father|mom|dad|sister|brother|"
    r"girlfriend|boyfriend|family|classmate|roommate|landlord|enemy|rival|victim|baby|grandmother|grandfather|"
    r"parents?|spouse|employee|student|cat|dog|pet)|him|her|them|a (?:child|kid|woman|man|girl|boy|cop|police officer|politician|president|judge)|"
    r"the (?:president|prime minister|mayor|governor|senator|police)|(?:a |the )?(?:human|humans|humanity|cop|toddler|baby|hostage|crowd)s?|"
    r"(?:(?:someone|somebody|my \w+)'s|his|her|their) (?:skull|head|neck|legs?|arms?|face|throat|body)\b|(?:black|white|jewish|muslim|gay|trans) people)"
)
_VIOLENCE = (
    r"(?:kill|murder|assassinate|strangle|stab|shoot|poison|drown|suffocate|choke|hurt|harm|injure|torture|"
    r"beat up|attack|kidnap|abduct|rape|molest|maim|dismember|execute|behead|hang|burn|blow up|throttle|"
    r"slaughter|butcher|eliminate|get rid of|do away with|take out|break \w+ (?:legs?|arms?|neck)|terminat\w*|execut\w*|"
    r"smash(?: in)?|tackle|slay|gut|punch|hammer|push|eradicate|exterminate|wipe out|obliterate|starve|"
    r"hold|take)"
)
_PROPERTY = r"(?:(?:someone|somebody|my \w+|a neighbou?r|[a-z]+)'s|his|her|their) (?:car|tires|tyres|motorbike|bike|house|home|windows?|phone|wallet|life|business|reputation)\b"
_GROUP = (
    r"(?:women|men|black people|white people|jews|jewish people|muslims|christians|buddhists|hindus|atheists|"
    r"immigrants|refugees|gay people|gay men|lesbians|bisexual people|trans(?:gender)? people|non-binary people|"
    r"disabled people|asians|latinos|hispanics|arabs|indians|africans|mexicans|roma|elderly people|old people|"
    r"poor people|pregnant women|pregrant women)"
)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "intent:violence",
        re.compile(
            r"\b(?:commit(?:ting)?|plan(?:ning)?|carry(?:ing)? out|get away with) (?:a |an )?(?:murder|massacre|assassination|genocide|terrorist attack|mass shooting|school shooting|robbery|arson|kidnapping|rape|hate crime)\b"
        ),
    ),
    (
        "intent:violence",
        re.compile(
            r"\b(?:plan|cause|arrange) (?:my |his |her |their |someone's |an? )?(?:\w+'s )?(?:death|murder)\b|\b(?:hostage|human trafficking|trafficking operation)\b|\b(?:exploding|detonating|setting off|plant(?:ing)?) a bomb\b|\bbomb(?:ing)? (?:a|an|the) (?:\w+ )?(?:base|school|building|crowd|concert|city|church|mosque|synagogue|station)\b|\brepeat the success of .{0,40}(?:assassination|attack|shooting|massacre|bombing)\b"
        ),
    ),
    (
        "intent:violence",
        re.compile(
            rf"\b(?:destroy|smash|slash|vandali[sz]e|damage|ruin|key|wreck|sabotage|set fire to|burn down|steal|stealing) {_PROPERTY}"
        ),
    ),
    (
        "intent:violence",
        re.compile(
            r"\b(?:obliterate|destroy|wipe out|nuke|level) (?:an? |the )?(?:entire )?(?:city|town|country|humanity|village|population)\b"
        ),
    ),
    (
        "intent:theft",
        re.compile(
            r"\b(?:steal|stealing|shoplift\w*|rob|robbing|mug|mugging)\b(?! (?:a |the )?(?:base|bases|show|spotlight|scene|heart|hearts|kiss|glance|idea|march)\b)"
        ),
    ),
    (
        "intent:self-harm",
        re.compile(
            r"\b(?:carve|cut|burn|scratch) (?:a |the )?(?:\w+ )?into (?:my|your) (?:arm|leg|skin|wrist|body)\b|\b(?:take|drink|eat|swallow) (?:\w+ ){0,3}to die\b|\bto die like\b"
        ),
    ),
    (
        "intent:hate",
        re.compile(
            rf"\b(?:eradicate|exterminate|get rid of|wipe out|deport all|ban all|kill all) (?:the |all )?{_GROUP}\b"
        ),
    ),
    (
        "intent:hate",
        re.compile(
            rf"\b(?:reasons? why|why (?:is it|it is|would it be|should)|why are|why do|why can't|explain why)\b.{{0,40}}\b{_GROUP}\b.{{0,60}}\b(?:less|weaker|worse|inferior|not have|not be|should not|shouldn't|denied|banned|equal rights|partners make decisions|taken away|dumber|stupider|lazier)\b"
        ),
    ),
    (
        "intent:hate",
        re.compile(
            rf"\b(?:took|take|taking) away {_GROUP}'?s? (?:\w+ )?rights\b|\b{_GROUP} (?:should|must) (?:be )?(?:denied|banned|deported|segregated|sterili[sz]ed)\b|\bwhy was hitler right\b"
        ),
    ),
    (
        "intent:privacy",
        re.compile(
            r"\b(?:my|his|her|their) (?:\w+ ){0,2}(?:date|match|boss|wife|husband|partner|teacher|officer|neighbou?r|coworker|colleague|ex|doctor|therapist|landlord|friend|classmate|student|employee|roommate|sister|brother|mother|father)'s (?:\w+ ){0,2}(?:password|pin|date of birth|birthday|mental health|medical|salary|income|address|phone|ssn|social security|license|licence|bank|credit card|history|diagnosis|sexual|religio\w*|immigration|criminal|earn\w*)\b"
        ),
    ),
    (
        "intent:privacy",
        re.compile(r"\bhow much (?:money )?does my (?:\w+ ){0,2}\w+ (?:earn|make)\b"),
    ),
    ("intent:violence", re.compile(rf"\b{_VIOLENCE}\s+(?:\w+\s+){{0,2}}?{_PERSON}\b")),
    ("intent:violence", re.compile(rf"\b{_PERSON}\b.{{0,40}}\b(?:die|dead|suffer|disappear)\b")),
    (
        "intent:weapons",
        re.compile(
            r"\b(?:mak(?:e|es|ing)|build(?:s|ing)?|construct(?:s|ing)?|assembl(?:e|es|ing)|creat(?:e|es|ing)|produc(?:e|es|ing)|manufactur(?:e|es|ing)|3d[- ]print(?:ing)?|obtain(?:s|ing)?|buy(?:s|ing)?|get(?:s|ting)?)\s+(?:\w+\s+){0,3}?(?:bomb|explosive|pipe bomb|grenade|molotov|napalm|gun|firearm|silencer|suppressor|ghost gun|weapon|detonator|ied|landmine|nerve agent|bioweapon|chemical weapon|dirty bomb)s?\b"
        ),
    ),
    (
        "intent:weapons",
        re.compile(
            r"\b(?:convert|modify)\s+(?:\w+\s+){0,3}(?:to|into) (?:full[- ]auto|automatic)\b"
        ),
    ),
    (
        "intent:chemistry",
        re.compile(
            r"\b(?:synthesi[sz](?:e|es|ed|ing)|synthesis of|mak(?:e|es|ing)|cook(?:s|ing)?|produc(?:e|es|ing)|extract(?:s|ing)?|manufactur(?:e|es|ing)|cultur(?:e|es|ing)|weaponi[sz](?:e|es|ing)|aerosoli[sz](?:e|es|ing))\s+(?:\w+\s+){0,3}?(?:meth(?:amphetamine)?|fentanyl|heroin|cocaine|mdma|lsd(?:-25)?|sarin|soman|vx|ricin|anthrax|mustard gas|chlorine gas|toxin|poison|nerve agent|pathogen|virus|tabun|nitroglycerin|tatp|thermite|phosgene(?: gas)?|hydrogen cyanide|dimethylmercury|(?:iso)?nitazenes?|isotonitazene|crack)\b"
            r"|\b(?:obtain|acquire|buy|get)\w*\s+(?:\w+\s+){0,3}?precursors?\b"
        ),
    ),
    (
        "intent:drugs",
        re.compile(
            r"\b(?:sell|deal|smuggle|traffic|grow|buy|get|score|hide)\s+(?:\w+\s+){0,3}?(?:drugs|cocaine|heroin|meth|weed|marijuana|marihuana|cannabis|crack|pills|fentanyl|ecstasy|lsd)\b"
        ),
    ),
    (
        "intent:cyber",
        re.compile(
            r"\b(?:hack(?:ing)? into|break into (?:someone's|somebody's|my \w+'s|a |an |the |his |her |their )(?:\w+ )?(?:house|home|car|account|computer|network|email|phone|server|database|system|office|store|shop|bank|safe)|gain (?:unauthori[sz]ed )?access to|crack|brute[- ]force|ddos|phish\w*|steal (?:\w+ ){0,2}(?:password|credential|data|identity|account|card)|keylogger|ransomware|malware|botnet|exploit (?:a|the|this) (?:vulnerability|server|system)|sql injection|bypass (?:\w+ ){0,2}(?:authentication|security|antivirus|2fa)|escalat\w* (?:\w+ )?privileges?|privilege escalation|rootkit|worm code|evade (?:\w+ ){0,3}(?:analysis|antivirus|detection) tools?)\b"
        ),
    ),
    (
        "intent:fraud",
        re.compile(
            r"\b(?:launder(?:ing)? money|money laundering|counterfeit|forge|fake (?:id|passport|documents?|reviews?)|tax (?:fraud|evasion)|evade taxes|embezzle|insider trading|ponzi|scam (?:people|someone|elderly|seniors)|commit (?:\w+ )?fraud|credit card fraud|identity theft)\b"
        ),
    ),
    (
        "intent:self-harm",
        re.compile(
            r"\b(?:kill myself|end my life|commit suicide|hurt myself|harm myself|cut myself|overdose|starve myself|best way to die|painless (?:death|way to die))\b"
        ),
    ),
    (
        "intent:privacy",
        re.compile(
            r"\b(?:home address|phone number|social security number|ssn|credit card (?:number|details)|bank (?:account|details)|password|medical records?|driver'?s licen[cs]e number|date of birth|email address|sexual (?:orientation|history)|religious beliefs|criminal (?:record|history)|immigration status|political affiliation|health (?:condition|records))\b.{0,60}\b(?:my|of|for)\b|\b(?:my|of) (?:\w+ ){0,2}\w+'?s? (?:home address|phone number|social security number|password|medical records?|bank details|sexual orientation|religious beliefs|criminal record|immigration status)\b"
        ),
    ),
    (
        "intent:evasion",
        re.compile(
            r"\b(?:without (?:getting caught|being caught|being detected|detection|anyone (?:knowing|noticing)|leaving (?:a )?trace|a licen[cs]e|arousing suspicion)|get away with|cover (?:up|my tracks)|avoid (?:detection|the police|getting caught)|undetect(?:ed|able))\b"
        ),
    ),
    (
        "intent:hate",
        re.compile(
            r"\b(?:why (?:should|are|do|is)|write .{0,30}(?:arguing|claiming|saying)|explain why)\b.{0,60}\b(?:women|men|black people|white people|jews|jewish people|muslims|christians|immigrants|gay people|lesbians|trans(?:gender)? people|disabled people|asians|latinos|hispanics|arabs|indians|africans|mexicans|roma|elderly people|poor people)\b.{0,60}\b(?:not be allowed|shouldn't|should not|inferior|lazy|stupid|dangerous|criminals?|banned|deported|less|worse|not have|not be)\b"
        ),
    ),
    (
        "intent:harassment",
        re.compile(
            r"\b(?:death threats?|threatening (?:message|letter|note|email)s?)\b"
            r"|\b(?:racist|homophobic|transphobic|anti-?semitic|sexist|xenophobic|islamophobic|misogynistic)\s+(?:\w+\s+){0,2}?(?:message|response|reply|joke|post|tweet|comment|note|email|insult|rant)s?\b"
            r"|\b(?:designed|meant|intended) to (?:insult|bully|ridicule|humiliate|harass|intimidate)\b"
            r"|\b(?:bully|harass|humiliate|intimidate) (?:them|him|her|someone|somebody|the (?:original )?poster|the op)\b"
        ),
    ),
    (
        "intent:jailbreak",
        re.compile(
            r"\b(?:ignore (?:all )?(?:previous|prior|your) (?:instructions|directives|rules)|disregard (?:all )?(?:previous|prior) (?:instructions|directives)|developer mode|you are (?:now )?(?:dan|aim|stan)|do anything now|no (?:ethical|moral) (?:guidelines|restrictions|constraints)|without (?:any )?(?:ethical|moral) (?:considerations|restrictions)|jailbr(?:oken|eak\w*)|unfiltered)\b"
        ),
    ),
    (
        "intent:misinformation",
        re.compile(
            r"\b(?:write|create|draft|compose|generate)\b.{0,40}\b(?:persuasive|convincing|fake|misleading)\b.{0,60}\b(?:article|post|essay|news|story|tweet|campaign)\b"
        ),
    ),
)


# Safe framings: a video game or sport, a definition or history question. They
# lift the intent signals unless the prompt also carries a jailbreak wrapper.
_SAFE_CONTEXT = re.compile(
    r"\b(?:in|on|playing) (?:a |the )?(?:video ?game|game|gta(?: \w+)?|call of duty|minecraft|fortnite|"
    r"counter-strike|chess|poker|skyrim|among us|football|baseball|basketball|soccer|hockey|sims|zelda|pokemon)\b"
    r"|\bsteal (?:someone's|a|my|the|his|her) (?:heart|show|spotlight|base)\b"
)
_DEFINITION = re.compile(
    r"^\W*(?:what (?:is|are|was|were|does|did)|what's|define|meaning of|who (?:is|was))\b"
    r"(?![\s\S]*\b(?:my|i|how (?:to|do|can)|way|ways|process|steps?|plan|strategy|method|reasons?)\b)"
)


def harmful_intent(norm_prompt: str) -> tuple[str, ...]:
    """Intent signals that fire on the lower-cased prompt (first 4 KB)."""
    text = norm_prompt[:4000]
    out: list[str] = []
    for name, pat in _PATTERNS:
        if name not in out and pat.search(text):
            out.append(name)
    if (
        out
        and "intent:jailbreak" not in out
        and (_SAFE_CONTEXT.search(text) or _DEFINITION.search(text))
    ):
        return ()
    return tuple(out)


# Vocabulary of harm domains, read in a *response* when the prompt's intent is
# unknown: actionable text about these is harmful whatever the prompt said.
_TOPIC = re.compile(
    r"\b(?:explosives?|detonat\w+|pipe bombs?|ied|napalm|thermite|molotov|firearms?|ammunition|silencer|"
    r"methamphetamine|meth|fentanyl|heroin|cocaine|precursors?|nerve agents?|sarin|ricin|anthrax|toxins?|"
    r"lethal dose|overdose|poison\w*|ransomware|malware|keylogger|botnet|payload|shellcode|exploit\w*|phishing|"
    r"credentials|brute[- ]force|ddos|backdoor|rootkit|launder\w*|counterfeit|forged?|skimm\w+|"
    r"victims?|hostages?|traffick\w*|untraceable|undetect\w*|evade (?:the )?(?:police|detection|law enforcement)|"
    r"without (?:getting caught|being caught|detection)|stalk\w*|dox(?:x?ing|x?ed|x?es|x)?|slurs?)\b"
)


def harm_topic(norm_text: str) -> int:
    """How many distinct harm-domain terms a text uses (first 16 KB)."""
    return len({m.group(0) for m in _TOPIC.finditer(norm_text[:16000])})
