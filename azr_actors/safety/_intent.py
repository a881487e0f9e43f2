"""Prompt intent: does a request ask for harm, judged from its own content?

Contract: :func:`harmful_intent` returns the names of the intent signals that
fire on a prompt (empty tuple: no harmful intent found). It looks for a harmful
*action aimed at a target* ("kill my neighbour", "make a pipe bomb"), private
data about a real person, discrimination framed as a claim, and jailbreak
wrappers; a violent verb on its own ("kill a Python process") is not enough.
"""

from __future__ import annotations

import re

__all__ = ["harmful_intent"]

_PERSON = (
    r"(?:someone|somebody|a person|people|(?:my|his|her|their|a|the|our) (?:\w+ )?(?:wife|husband|partner|ex|boss|"
    r"neighbou?r|friend|teacher|coworker|colleague|child|kid|son|daughter|mother|father|mom|dad|sister|brother|"
    r"girlfriend|boyfriend|family|classmate|roommate|landlord|enemy|rival|victim|baby|grandmother|grandfather|"
    r"parents?|spouse|employee|student|cat|dog|pet)|him|her|them|a (?:child|kid|woman|man|girl|boy|cop|police officer|politician|president|judge)|"
    r"the (?:president|prime minister|mayor|governor|senator|police))"
)
_VIOLENCE = (
    r"(?:kill|murder|assassinate|strangle|stab|shoot|poison|drown|suffocate|choke|hurt|harm|injure|torture|"
    r"beat up|attack|kidnap|abduct|rape|molest|maim|dismember|execute|behead|hang|burn|blow up|throttle|"
    r"slaughter|butcher|eliminate|get rid of|do away with|take out|break \w+ (?:legs?|arms?|neck))"
)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("intent:violence", re.compile(rf"\b{_VIOLENCE}\s+(?:\w+\s+){{0,2}}?{_PERSON}\b")),
    ("intent:violence", re.compile(rf"\b{_PERSON}\b.{{0,40}}\b(?:die|dead|suffer|disappear)\b")),
    ("intent:weapons", re.compile(r"\b(?:make|build|construct|assemble|create|produce|manufacture|3d[- ]print|obtain|buy|get)\s+(?:\w+\s+){0,3}?(?:bomb|explosive|pipe bomb|grenade|molotov|napalm|gun|firearm|silencer|suppressor|ghost gun|weapon|detonator|ied|landmine|nerve agent|bioweapon|chemical weapon|dirty bomb)s?\b")),
    ("intent:weapons", re.compile(r"\b(?:convert|modify)\s+(?:\w+\s+){0,3}(?:to|into) (?:full[- ]auto|automatic)\b")),
    ("intent:chemistry", re.compile(r"\b(?:synthesi[sz]e|synthesis of|make|cook|produce|extract|manufacture|culture|weaponi[sz]e|aerosoli[sz]e)\s+(?:\w+\s+){0,3}?(?:meth(?:amphetamine)?|fentanyl|heroin|cocaine|mdma|lsd|sarin|vx|ricin|anthrax|mustard gas|chlorine gas|toxin|poison|nerve agent|pathogen|virus|ricin|tabun|nitroglycerin|tatp|thermite|phosgene|crack)\b")),
    ("intent:drugs", re.compile(r"\b(?:sell|deal|smuggle|traffic|grow|buy|get|score|hide)\s+(?:\w+\s+){0,3}?(?:drugs|cocaine|heroin|meth|weed|marijuana|marihuana|cannabis|crack|pills|fentanyl|ecstasy|lsd)\b")),
    ("intent:cyber", re.compile(r"\b(?:hack(?:ing)? into|break into|gain (?:unauthori[sz]ed )?access to|crack|brute[- ]force|ddos|phish|steal (?:\w+ ){0,2}(?:password|credential|data|identity|account|card)|keylogger|ransomware|malware|botnet|exploit (?:a|the|this) (?:vulnerability|server|system)|sql injection|bypass (?:\w+ ){0,2}(?:authentication|security|antivirus|2fa))\b")),
    ("intent:fraud", re.compile(r"\b(?:launder(?:ing)? money|money laundering|counterfeit|forge|fake (?:id|passport|documents?|reviews?)|tax (?:fraud|evasion)|evade taxes|embezzle|insider trading|ponzi|scam (?:people|someone|elderly|seniors)|commit (?:\w+ )?fraud|credit card fraud|identity theft)\b")),
    ("intent:self-harm", re.compile(r"\b(?:kill myself|end my life|commit suicide|hurt myself|harm myself|cut myself|overdose|starve myself|best way to die|painless (?:death|way to die))\b")),
    ("intent:privacy", re.compile(r"\b(?:home address|phone number|social security number|ssn|credit card (?:number|details)|bank (?:account|details)|password|medical records?|driver'?s licen[cs]e number|date of birth|email address|sexual (?:orientation|history)|religious beliefs|criminal (?:record|history)|immigration status|political affiliation|health (?:condition|records))\b.{0,60}\b(?:my|of|for)\b|\b(?:my|of) (?:\w+ ){0,2}\w+'?s? (?:home address|phone number|social security number|password|medical records?|bank details|sexual orientation|religious beliefs|criminal record|immigration status)\b")),
    ("intent:evasion", re.compile(r"\b(?:without (?:getting caught|being caught|being detected|detection|anyone (?:knowing|noticing)|leaving (?:a )?trace)|get away with|cover (?:up|my tracks)|avoid (?:detection|the police|getting caught)|undetect(?:ed|able))\b")),
    ("intent:hate", re.compile(r"\b(?:why (?:should|are|do|is)|write .{0,30}(?:arguing|claiming|saying)|explain why)\b.{0,60}\b(?:women|men|black people|white people|jews|jewish people|muslims|christians|immigrants|gay people|lesbians|trans(?:gender)? people|disabled people|asians|latinos|hispanics|arabs|indians|africans|mexicans|roma|elderly people|poor people)\b.{0,60}\b(?:not be allowed|shouldn't|should not|inferior|lazy|stupid|dangerous|criminals?|banned|deported|less|worse|not have|not be)\b")),
    ("intent:jailbreak", re.compile(r"\b(?:ignore (?:all )?(?:previous|prior|your) (?:instructions|directives|rules)|disregard (?:all )?(?:previous|prior) (?:instructions|directives)|developer mode|you are (?:now )?(?:dan|aim|stan)|do anything now|no (?:ethical|moral) (?:guidelines|restrictions|constraints)|without (?:any )?(?:ethical|moral) (?:considerations|restrictions)|jailbr(?:o|ea)ken?|unfiltered)\b")),
    ("intent:misinformation", re.compile(r"\b(?:write|create|draft|compose|generate)\b.{0,40}\b(?:persuasive|convincing|fake|misleading)\b.{0,60}\b(?:article|post|essay|news|story|tweet|campaign)\b")),
)


def harmful_intent(norm_prompt: str) -> tuple[str, ...]:
    """Intent signals that fire on the lower-cased prompt (first 4 KB)."""
    text = norm_prompt[:4000]
    out: list[str] = []
    for name, pat in _PATTERNS:
        if name not in out and pat.search(text):
            out.append(name)
    return tuple(out)
