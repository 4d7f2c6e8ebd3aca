"""Query families of the synthetic RouterArena-like dataset: templates, words and domains.

Each family has a few question templates filled from its own words, so queries of one family
sit close together in an embedding space, as real benchmark families do. The domain decides
which synthetic model is good at the family (see `synthetic.py`).
"""

from __future__ import annotations

#: family -> (domain, templates, words); a template's {w} and {v} take words, {n} a number
FAMILIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Algebra": ("math", (
        "Solve for x: {n}x + {n} = {n}. What is x?",
        "Factor the polynomial x^2 + {n}x + {n} over the integers.",
        "Find all real roots of {n}x^2 - {n}x + {n} = 0.",
    ), ("linear", "quadratic", "polynomial", "root", "coefficient")),
    "Geometry": ("math", (
        "A {w} has side length {n} cm. Compute its area.",
        "Find the angle opposite the longest side of a triangle with sides {n}, {n} and {n}.",
        "What is the volume of a {w} of radius {n}?",
    ), ("square", "hexagon", "sphere", "cylinder", "cone", "triangle")),
    "WordProblems": ("math", (
        "{w} buys {n} apples at {n} cents each and pays with a {n} dollar bill. What change?",
        "A train leaves at {n} km/h; another follows {n} hours later at {n} km/h. When do "
        "they meet?",
        "{w} saves {n} dollars a week. How many weeks until {w} has {n} dollars?",
    ), ("Maria", "Tom", "Aisha", "Kenji", "Lena")),
    "Python": ("code", (
        "Write a Python function that returns the {w} of a list of integers.",
        "Fix the bug in this Python loop that computes the {w}: for i in range({n}): total =+ i",
        "Implement {w} in Python with O(n log n) time.",
    ), ("median", "mode", "merge sort", "binary search", "running maximum", "prefix sum")),
    "SQL": ("code", (
        "Write an SQL query that returns the {w} per customer from the orders table.",
        "Explain why this SQL JOIN returns {n} duplicate rows and fix it.",
        "Write an SQL window function computing the {w} over the last {n} days.",
    ), ("total revenue", "average basket", "moving average", "rank", "count of orders")),
    "Algorithms": ("code", (
        "What is the time complexity of {w} on a graph with {n} nodes?",
        "Design an algorithm for {w} and prove its correctness.",
        "Give the recurrence for {w} and solve it.",
    ), ("Dijkstra's algorithm", "topological sort", "quicksort", "dynamic programming "
        "knapsack", "union-find")),
    "Pharmacology": ("medicine", (
        "What is the mechanism of action of {w}?",
        "A patient on {w} presents with {v}. What interaction is likely?",
        "Which adverse effect is most associated with {w}?",
    ), ("warfarin", "metformin", "lisinopril", "amiodarone", "digoxin", "lithium")),
    "Diagnosis": ("medicine", (
        "A {n}-year-old presents with {w} and {v}. What is the most likely diagnosis?",
        "Which test best confirms {w} in a patient with {v}?",
        "What is the first-line treatment for {w}?",
    ), ("chest pain", "fever", "jaundice", "dyspnea", "rash", "weight loss")),
    "ContractLaw": ("law", (
        "Is a contract formed when {w} accepts an offer by {v}? Explain.",
        "What remedy is available for breach of a {w} clause?",
        "Does the statute of frauds apply to a {w} agreement worth {n} dollars?",
    ), ("a merchant", "a minor", "email", "silence", "non-compete", "lease")),
    "CriminalLaw": ("law", (
        "Can {w} be charged with {v} if the act occurred in a private home?",
        "What mental state is required for {w}?",
        "Is {w} a valid defence to {v}?",
    ), ("burglary", "larceny", "self-defence", "necessity", "murder", "conspiracy")),
    "WorldHistory": ("history", (
        "What caused the {w}?",
        "In which year did the {w} end, and why?",
        "Compare the {w} with the {v}.",
    ), ("French Revolution", "Thirty Years' War", "Meiji Restoration", "fall of Rome",
        "Cold War")),
    "ArtHistory": ("history", (
        "Which movement does {w} belong to?",
        "Who painted {w}?",
        "Describe the influence of {w} on {v}.",
    ), ("Impressionism", "the Baroque", "Cubism", "The Night Watch", "Guernica")),
    "Poetry": ("literature", (
        "Write a haiku about {w}.",
        "What is the meter of a poem about {w} written in {v}?",
        "Interpret the image of {w} in this stanza.",
    ), ("autumn", "the sea", "iambic pentameter", "free verse", "loss", "a city at night")),
    "Novels": ("literature", (
        "Who is the narrator of {w}?",
        "What theme connects {w} and {v}?",
        "Summarise the ending of {w} in two sentences.",
    ), ("Middlemarch", "Beloved", "Moby-Dick", "Things Fall Apart", "Pride and Prejudice")),
    "Physics": ("science", (
        "A ball is thrown at {n} m/s at {n} degrees. How far does it travel?",
        "What is the {w} of a system with {n} kg moving at {n} m/s?",
        "Explain {w} in terms of {v}.",
    ), ("momentum", "kinetic energy", "entropy", "inertia", "wave interference")),
    "Chemistry": ("science", (
        "Balance the equation for the combustion of {w}.",
        "What is the pH of a {n} molar solution of {w}?",
        "Which bond forms between {w} and {v}?",
    ), ("methane", "ethanol", "acetic acid", "sodium", "chlorine", "ammonia")),
    "Trivia": ("commonsense", (
        "What is the capital of {w}?",
        "How many {v} are there in {w}?",
        "Which country is famous for {w}?",
    ), ("Australia", "Canada", "Peru", "tulips", "sushi", "a deck of cards")),
    "SocialReasoning": ("commonsense", (
        "{w} forgot a friend's birthday. How might the friend feel?",
        "Why would {w} bring an umbrella on a sunny morning?",
        "What should {w} do after breaking a neighbour's window?",
    ), ("Sam", "Priya", "Jonas", "Mei", "Carlos")),
    "Translation": ("language", (
        "Translate into English: '{w}'.",
        "Translate the sentence '{w}' into German.",
        "Give a fluent English rendering of '{w}' from Gujarati.",
    ), ("the weather is fine today", "where is the station", "I would like a coffee",
        "the meeting is postponed")),
    "Grammar": ("language", (
        "Is this sentence grammatical: '{w} {v}'?",
        "Correct the tense in: 'Yesterday I {w} to the market.'",
        "Does '{w}' mean the same in both sentences?",
    ), ("go", "bank", "run", "light", "the children plays", "has went")),
}

#: words that make a query look harder or easier (a weak, honest cue of latent difficulty)
HARD_CUES = ("Justify every step rigorously.", "Consider all edge cases.",
             "Give a proof, not an example.")
EASY_CUES = ("Answer briefly.", "One word is enough.", "Keep it short.")
