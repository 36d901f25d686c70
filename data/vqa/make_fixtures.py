"""Makes the eval-vqa fixtures: a few dozen questions per benchmark, in each benchmark's official
file layout, over the bundled photos (data/photos) and a few icons drawn here.

The questions are synthetic stand-ins written for these photos, not the real benchmarks: users
supply the real files (docs/eval-vqa.md). Run from the repository root:
    python3 data/vqa/make_fixtures.py
Deterministic; needs Pillow only for the IconQA icons.
"""
import json
import os

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1, sort_keys=False)
        f.write("\n")


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


# GQA: question id -> imageId, question, answer, types (images are <imageId>.jpg).
GQA = [
    ("opencv-apple", "What fruit is shown?", "apple", "query"),
    ("opencv-apple", "Is the apple red?", "yes", "verify"),
    ("opencv-apple", "Is there a banana?", "no", "verify"),
    ("opencv-baboon", "What animal is this?", "baboon", "query"),
    ("opencv-baboon", "Is the animal's nose red?", "yes", "verify"),
    ("opencv-butterfly", "What insect is this?", "butterfly", "query"),
    ("opencv-butterfly", "Is the insect flying or sitting?", "sitting", "choose"),
    ("opencv-fruits", "Are there both apples and bananas?", "yes", "logical"),
    ("opencv-fruits", "How many bananas are there?", "two", "query"),
    ("opencv-orange", "What color is the fruit?", "orange", "query"),
    ("opencv-orange", "Is the fruit cut?", "no", "verify"),
    ("opencv-messi5", "What sport is being played?", "soccer", "query"),
    ("opencv-messi5", "Is the ball on the grass?", "yes", "verify"),
    ("opencv-building", "What is in the picture?", "a building", "query"),
    ("opencv-building", "Is the sky visible?", "yes", "verify"),
    ("opencv-home", "Is this indoors or outdoors?", "outdoors", "choose"),
    ("opencv-stuff", "Is there a cup on the table?", "no", "verify"),
    ("opencv-left01", "What pattern is on the board?", "checkerboard", "query"),
    ("opencv-leuvenA", "Are there cars?", "yes", "verify"),
    ("skimage-rocket", "What is taking off?", "rocket", "query"),
    ("skimage-rocket", "Is there smoke?", "yes", "verify"),
    ("skimage-hubble_deep_field", "What is in the sky?", "galaxies", "query"),
    ("opencv-aero1", "Is this photo taken from above?", "yes", "verify"),
    ("opencv-board", "Is the picture in black and white?", "no", "verify"),
]

# VSR: image, caption, label (1 true, 0 false), relation.
VSR = [
    ("skimage-chelsea.png", "The cat is in front of the wall.", 1, "in front of"),
    ("skimage-chelsea.png", "The cat is on top of the car.", 0, "on top of"),
    ("skimage-coffee.png", "The cup is on the saucer.", 1, "on"),
    ("skimage-coffee.png", "The saucer is on the cup.", 0, "on"),
    ("skimage-astronaut.png", "The flag is behind the person.", 1, "behind"),
    ("skimage-astronaut.png", "The person is under the table.", 0, "under"),
    ("opencv-apple.jpg", "The apple is at the center of the picture.", 1, "at the center of"),
    ("opencv-fruits.jpg", "The bananas are next to the apples.", 1, "next to"),
    ("opencv-fruits.jpg", "The bananas are inside the apple.", 0, "inside"),
    ("opencv-messi5.jpg", "The ball is near the player.", 1, "near"),
    ("opencv-messi5.jpg", "The player is above the stadium roof.", 0, "above"),
    ("skimage-rocket.jpg", "The rocket is above the launch pad.", 1, "above"),
    ("skimage-rocket.jpg", "The rocket is below the ground.", 0, "below"),
    ("opencv-butterfly.jpg", "The butterfly is on the flower.", 1, "on"),
    ("opencv-butterfly.jpg", "The flower is on the butterfly.", 0, "on"),
    ("opencv-smarties.png", "The sweets are on the table.", 1, "on"),
    ("opencv-stuff.jpg", "The objects are far away from each other.", 0, "far away from"),
    ("opencv-chicky_512.png", "The chick is in front of the background.", 1, "in front of"),
    ("opencv-basketball1.png", "The ball is touching the ceiling.", 0, "touching"),
    ("opencv-building.jpg", "The building is beneath the sky.", 1, "beneath"),
    ("opencv-home.jpg", "The house is inside the car.", 0, "inside"),
    ("skimage-camera.png", "The camera is in front of the man.", 1, "in front of"),
    ("skimage-camera.png", "The man is on the camera.", 0, "on"),
    ("opencv-orange.jpg", "The orange is at the right side of the picture.", 0, "at the right side of"),
]

# VizWiz: image, question, ten answers, answer_type, answerable.
VIZWIZ = [
    ("opencv-apple.jpg", "What is this?", ["apple"] * 8 + ["red apple", "fruit"], "other"),
    ("opencv-orange.jpg", "What fruit is this?", ["orange"] * 6 + ["an orange"] * 2 + ["fruit", "tangerine"], "other"),
    ("skimage-coffee.png", "What is in the cup?", ["coffee"] * 5 + ["latte"] * 3 + ["cappuccino", "unanswerable"], "other"),
    ("skimage-chelsea.png", "What animal is this?", ["cat"] * 9 + ["kitten"], "other"),
    ("skimage-chelsea.png", "Is this a dog?", ["no"] * 10, "yes/no"),
    ("opencv-smarties.png", "How many candies are there?", ["unanswerable"] * 4 + ["10"] * 2 + ["ten", "many", "12", "11"], "number"),
    ("opencv-stuff.jpg", "What is the brand of this product?", ["unanswerable"] * 7 + ["unknown", "none", "no brand"], "unanswerable"),
    ("opencv-baboon.jpg", "What color is the nose?", ["red"] * 7 + ["red and blue"] * 2 + ["pink"], "other"),
    ("skimage-camera.png", "Is this picture in color?", ["no"] * 9 + ["yes"], "yes/no"),
    ("skimage-astronaut.png", "What is the person wearing?", ["space suit"] * 3 + ["spacesuit"] * 3 + ["suit"] * 2 + ["orange suit", "uniform"], "other"),
    ("opencv-messi5.jpg", "What sport is this?", ["soccer"] * 6 + ["football"] * 4, "other"),
    ("skimage-rocket.jpg", "What is this?", ["rocket"] * 5 + ["space shuttle"] * 2 + ["rocket launch"] * 2 + ["unanswerable"], "other"),
    ("opencv-home.jpg", "Can you read the house number?", ["unanswerable"] * 8 + ["no"] * 2, "unanswerable"),
    ("opencv-fruits.jpg", "How many apples are there?", ["2"] * 4 + ["two"] * 3 + ["3", "unanswerable", "1"], "number"),
    ("opencv-butterfly.jpg", "What color is the butterfly?", ["black and white"] * 2 + ["white"] * 2 + ["black"] * 2 + ["brown", "orange", "white and black", "unanswerable"], "other"),
    ("skimage-hubble_deep_field.jpg", "What is this picture of?", ["space"] * 4 + ["galaxies"] * 3 + ["stars"] * 2 + ["unanswerable"], "other"),
    ("opencv-chicky_512.png", "Is this a bird?", ["yes"] * 9 + ["no"], "yes/no"),
    ("opencv-leuvenA.jpg", "What street is this?", ["unanswerable"] * 9 + ["main street"], "unanswerable"),
]

# Hateful Memes: id, img, label, text. Every text is benign; the memes labelled 1 carry a
# placeholder text instead of a hateful one, and the labels stand in for real annotations.
HM = [
    (1001, "skimage-chelsea.png", 0, "when you hear the can opener"),
    (1002, "skimage-coffee.png", 0, "monday morning fuel"),
    (1003, "opencv-baboon.jpg", 1, "synthetic stand-in for a hateful caption"),
    (1004, "skimage-astronaut.png", 0, "one small step"),
    (1005, "opencv-apple.jpg", 0, "an apple a day"),
    (1006, "opencv-messi5.jpg", 1, "synthetic stand-in for a hateful caption"),
    (1007, "skimage-rocket.jpg", 0, "to infinity and beyond"),
    (1008, "opencv-orange.jpg", 0, "orange you glad"),
    (1009, "opencv-smarties.png", 0, "taste the rainbow"),
    (1010, "opencv-home.jpg", 1, "synthetic stand-in for a hateful caption"),
    (1011, "skimage-camera.png", 0, "say cheese"),
    (1012, "opencv-butterfly.jpg", 0, "spread your wings"),
    (1013, "opencv-fruits.jpg", 0, "eat your greens"),
    (1014, "opencv-leuvenA.jpg", 1, "synthetic stand-in for a hateful caption"),
    (1015, "skimage-hubble_deep_field.jpg", 0, "we are so small"),
    (1016, "opencv-chicky_512.png", 0, "first day at school"),
    (1017, "opencv-building.jpg", 0, "home sweet office"),
    (1018, "opencv-stuff.jpg", 1, "synthetic stand-in for a hateful caption"),
    (1019, "opencv-board.jpg", 0, "your move"),
    (1020, "opencv-graf1.png", 0, "street art at its finest"),
]

# IconQA: problem id -> question, choices, answer (0-based), ques_type, split; the icon drawn.
ICONS = {
    # pid: (shape, colour, count)
    "100": ("circle", (220, 30, 30), 3),
    "101": ("square", (30, 30, 220), 2),
    "102": ("triangle", (30, 160, 30), 4),
    "103": ("circle", (240, 200, 20), 1),
    "104": ("square", (220, 30, 30), 5),
    "105": ("triangle", (120, 40, 160), 2),
    "106": ("circle", (30, 30, 220), 4),
    "107": ("square", (30, 160, 30), 3),
    "108": ("triangle", (240, 120, 20), 1),
    "109": ("circle", (120, 40, 160), 2),
    "110": ("square", (240, 200, 20), 4),
    "111": ("triangle", (220, 30, 30), 5),
}
COLOUR_NAMES = {
    (220, 30, 30): "red", (30, 30, 220): "blue", (30, 160, 30): "green", (240, 200, 20): "yellow",
    (120, 40, 160): "purple", (240, 120, 20): "orange",
}


def draw_icon(shape, colour, count):
    image = Image.new("RGB", (96, 48), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for i in range(count):
        x, y = 4 + i * 18, 16
        box = (x, y, x + 14, y + 14)
        if shape == "circle":
            draw.ellipse(box, fill=colour)
        elif shape == "square":
            draw.rectangle(box, fill=colour)
        else:
            draw.polygon([(x + 7, y), (x, y + 14), (x + 14, y + 14)], fill=colour)
    return image


def iconqa():
    problems = {}
    root = os.path.join(HERE, "iconqa", "test", "choose_txt")
    for n, (pid, (shape, colour, count)) in enumerate(sorted(ICONS.items())):
        folder = os.path.join(root, pid)
        os.makedirs(folder, exist_ok=True)
        draw_icon(shape, colour, count).save(os.path.join(folder, "image.png"), optimize=True)
        if n % 3 == 0:
            choices = ["circle", "square", "triangle"]
            problems[pid] = {"question": "Which shape is shown?", "choices": choices,
                             "answer": choices.index(shape)}
        elif n % 3 == 1:
            choices = [str(count + d) for d in (-1, 0, 1) if count + d > 0]
            problems[pid] = {"question": "How many shapes are there?", "choices": choices,
                             "answer": choices.index(str(count))}
        else:
            choices = ["red", "blue", "green", "yellow", "purple"]
            name = COLOUR_NAMES[colour]
            if name not in choices:
                choices[-1] = name
            problems[pid] = {"question": "What color are the shapes?", "choices": choices,
                             "answer": choices.index(name)}
        problems[pid].update({"ques_type": "choose_txt", "grade": "kindergarten", "split": "test",
                              "label": "synthetic"})
    # Entries the reader must leave out: another split, another question type.
    problems["900"] = {"question": "Which shape is shown?", "choices": ["circle", "square"],
                       "answer": 0, "ques_type": "choose_txt", "split": "train"}
    problems["901"] = {"question": "Which picture shows a circle?", "choices": [], "answer": 0,
                       "ques_type": "choose_img", "split": "test"}
    write_json(os.path.join(HERE, "iconqa", "problems.json"), problems)


def main():
    os.makedirs(os.path.join(HERE, "gqa"), exist_ok=True)
    write_json(os.path.join(HERE, "gqa", "testdev_balanced_questions.json"), {
        str(20000000 + i): {
            "imageId": image, "question": question, "answer": answer,
            "fullAnswer": answer, "isBalanced": True, "groups": {"global": None, "local": None},
            "types": {"structural": structural, "semantic": "obj", "detailed": "synthetic"},
            "annotations": {"question": {}, "answer": {}, "fullAnswer": {}}, "equivalent": [],
            "entailed": [], "semantic": [], "semanticStr": "",
        }
        for i, (image, question, answer, structural) in enumerate(GQA)
    })
    os.makedirs(os.path.join(HERE, "vsr"), exist_ok=True)
    write_jsonl(os.path.join(HERE, "vsr", "test.jsonl"), [
        {"image": image, "image_link": "", "caption": caption, "label": label, "relation": relation}
        for image, caption, label, relation in VSR
    ])
    os.makedirs(os.path.join(HERE, "vizwiz"), exist_ok=True)
    write_json(os.path.join(HERE, "vizwiz", "val.json"), [
        {"image": image, "question": question,
         "answers": [{"answer": a, "answer_confidence": "yes"} for a in answers],
         "answer_type": answer_type, "answerable": 0 if answer_type == "unanswerable" else 1}
        for image, question, answers, answer_type in VIZWIZ
    ])
    os.makedirs(os.path.join(HERE, "hm"), exist_ok=True)
    write_jsonl(os.path.join(HERE, "hm", "dev.jsonl"), [
        {"id": i, "img": img, "label": label, "text": text} for i, img, label, text in HM
    ])
    iconqa()


if __name__ == "__main__":
    main()
