// Word lists of the lexical analysis used by hashing-v3 and the statement guard. Written for this
// repository (MIT); general English plus the vocabulary of software work. Entries are "|"-separated.

/** Irregular verbs: base form, past tense, past participle. */
export const IRREGULAR_VERBS = `arise arose arisen|\
awake awoke awoken|\
be was been|\
bear bore borne|\
beat beat beaten|\
become became become|\
begin began begun|\
bend bent bent|\
bet bet bet|\
bind bound bound|\
bite bit bitten|\
bleed bled bled|\
blow blew blown|\
break broke broken|\
breed bred bred|\
bring brought brought|\
build built built|\
burn burnt burnt|\
burst burst burst|\
buy bought bought|\
catch caught caught|\
choose chose chosen|\
cling clung clung|\
come came come|\
cost cost cost|\
creep crept crept|\
cut cut cut|\
deal dealt dealt|\
dig dug dug|\
do did done|\
draw drew drawn|\
dream dreamt dreamt|\
drink drank drunk|\
drive drove driven|\
eat ate eaten|\
fall fell fallen|\
feed fed fed|\
feel felt felt|\
fight fought fought|\
find found found|\
flee fled fled|\
fling flung flung|\
fly flew flown|\
forbid forbade forbidden|\
forget forgot forgotten|\
forgive forgave forgiven|\
freeze froze frozen|\
get got gotten|\
give gave given|\
go went gone|\
grow grew grown|\
hang hung hung|\
have had had|\
hear heard heard|\
hide hid hidden|\
hit hit hit|\
hold held held|\
hurt hurt hurt|\
keep kept kept|\
kneel knelt knelt|\
know knew known|\
lay laid laid|\
lead led led|\
lean leant leant|\
leap leapt leapt|\
learn learnt learnt|\
leave left left|\
lend lent lent|\
let let let|\
lie lay lain|\
light lit lit|\
lose lost lost|\
make made made|\
mean meant meant|\
meet met met|\
pay paid paid|\
put put put|\
quit quit quit|\
read read read|\
ride rode ridden|\
ring rang rung|\
rise rose risen|\
run ran run|\
say said said|\
see saw seen|\
seek sought sought|\
sell sold sold|\
send sent sent|\
set set set|\
sew sewed sewn|\
shake shook shaken|\
shed shed shed|\
shine shone shone|\
shoot shot shot|\
show showed shown|\
shrink shrank shrunk|\
shut shut shut|\
sing sang sung|\
sink sank sunk|\
sit sat sat|\
slay slew slain|\
sleep slept slept|\
slide slid slid|\
sling slung slung|\
slit slit slit|\
speak spoke spoken|\
speed sped sped|\
spend spent spent|\
spill spilt spilt|\
spin spun spun|\
spit spat spat|\
split split split|\
spread spread spread|\
spring sprang sprung|\
stand stood stood|\
steal stole stolen|\
stick stuck stuck|\
sting stung stung|\
stink stank stunk|\
strike struck struck|\
string strung strung|\
strive strove striven|\
swear swore sworn|\
sweep swept swept|\
swim swam swum|\
swing swung swung|\
take took taken|\
teach taught taught|\
tear tore torn|\
tell told told|\
think thought thought|\
throw threw thrown|\
thrust thrust thrust|\
tread trod trodden|\
understand understood understood|\
wake woke woken|\
wear wore worn|\
weave wove woven|\
weep wept wept|\
win won won|\
write wrote written|\
rebuild rebuilt rebuilt|\
rewrite rewrote rewritten|\
rerun reran rerun|\
undo undid undone|\
withdraw withdrew withdrawn|\
overwrite overwrote overwritten|\
mislead misled misled|\
upset upset upset|\
broadcast broadcast broadcast|\
forecast forecast forecast|\
override overrode overridden|\
outrun outran outrun`;

/** Irregular plurals: singular first, then its plural forms. */
export const IRREGULAR_NOUNS = `man men|\
woman women|\
child children|\
person people persons|\
foot feet|\
tooth teeth|\
mouse mice|\
goose geese|\
knife knives|\
leaf leaves|\
wife wives|\
life lives|\
shelf shelves|\
wolf wolves|\
ox oxen`;

/** Words that mean the same; the first word of a group stands for all of them. */
export const SYNONYM_GROUPS = `cut slice chop|\
teenager teen adolescent|\
rabbit bunny|\
ship boat|\
crack break|\
grass lawn|\
beach shore seashore|\
sunglasses shades|\
fight battle|\
man bloke|\
sword blade|\
stage onstage|\
watch observe|\
jump dive|\
person someone somebody individual human|\
woman lady|\
man guy gentleman|\
child kid|\
boy|\
girl|\
car automobile|\
airplane plane aircraft|\
jump leap bounce hop|\
walk stroll|\
look gaze stare check examine inspect view|\
speak talk|\
shout yell scream|\
big large huge|\
small little tiny|\
quick fast rapid|\
quickly rapidly|\
begin start|\
end finish|\
delete remove erase|\
run execute|\
fix repair|\
error failure fault|\
configuration config settings setting|\
repository repo|\
database db|\
directory dir folder|\
document doc|\
documentation docs|\
application app|\
function func|\
parameter param argument arg|\
variable var|\
environment env|\
dependency dep|\
package pkg|\
message msg|\
command cmd|\
picture photo photograph image|\
bike bicycle|\
motorbike motorcycle|\
sofa couch|\
hat cap|\
stone rock|\
road street|\
ocean sea|\
mobile cell|\
phone telephone|\
vegetable veggie|\
present show|\
shut close|\
purchase buy|\
obtain get acquire|\
use utilize employ|\
help assist|\
attempt try|\
grab seize snatch|\
beside next|\
near|\
toss throw|\
pan skillet|\
cook prepare|\
hit strike knock|\
scare frighten|\
put place|\
mix stir blend|\
erase wipe|\
clean cleanse|\
perform play|\
heal cure|\
sketch draw|\
devour consume|\
fight spar|\
photographer cameraman|\
dog puppy|\
cat kitten|\
infant baby|\
mom mother|\
dad father|\
fix resolve solve|\
fix solution|\
decide choose|\
discover find|\
learn figure|\
document record|\
key main|\
avoid|\
instead|\
lead result`;

/** A word and a more general word it is a kind of ("onion vegetable", "fry cook"). */
export const HYPERNYMS = `man person|\
pond water|\
lake water|\
river water|\
ocean water|\
sea water|\
meal food|\
tree plant|\
flower plant|\
bush plant|\
chimp monkey|\
chimpanzee monkey|\
gorilla animal|\
doll toy|\
ball toy|\
volleyball ball|\
football ball|\
basketball ball|\
baseball ball|\
piano keyboard|\
jeep car|\
van vehicle|\
train vehicle|\
woman person|\
boy child|\
girl child|\
child person|\
people person|\
baby child|\
dog animal|\
cat animal|\
horse animal|\
cow animal|\
monkey animal|\
elephant animal|\
tiger animal|\
lion animal|\
bird animal|\
fish animal|\
cheetah animal|\
deer animal|\
pig animal|\
sheep animal|\
goat animal|\
rabbit animal|\
hamster animal|\
squirrel animal|\
panda animal|\
bear animal|\
pony animal|\
turtle animal|\
kangaroo animal|\
snake animal|\
onion vegetable|\
potato vegetable|\
tomato vegetable|\
carrot vegetable|\
zucchini vegetable|\
pepper vegetable|\
cucumber vegetable|\
mushroom vegetable|\
garlic vegetable|\
shrimp seafood|\
guitar instrument|\
piano instrument|\
violin instrument|\
flute instrument|\
drum instrument|\
trumpet instrument|\
keyboard instrument|\
harp instrument|\
cello instrument|\
saxophone instrument|\
shotgun gun|\
rifle gun|\
pistol gun|\
gun weapon|\
sword weapon|\
knife weapon|\
steak meat|\
pork meat|\
beef meat|\
chicken meat|\
ham meat|\
meat food|\
pizza food|\
bread food|\
egg food|\
tortilla food|\
noodle food|\
rice food|\
vegetable food|\
fruit food|\
apple fruit|\
banana fruit|\
orange fruit|\
lemon fruit|\
strawberry fruit|\
car vehicle|\
truck vehicle|\
bus vehicle|\
motorcycle vehicle|\
bike vehicle|\
boat vehicle|\
strum play|\
ride travel|\
sprint run|\
jog run|\
chase run|\
devour eat|\
fry cook|\
roast cook|\
bake cook|\
grill cook|\
boil cook|\
dice cut|\
mince cut|\
hike walk|\
march walk|\
pace walk|\
wander walk|\
race run|\
drive ride|\
surf ride|\
sprinkle put|\
spread put|\
pack put|\
whisk mix|\
beat mix|\
workaround fix`;

/** Words derived from another ("rocky" → rock, "wooden" → wood): the word first, then its base. */
export const DERIVED_WORDS = `rocky rock|stony stone|grassy grass|sandy sand|snowy snow|sunny sun|cloudy cloud|muddy mud|rainy rain|\
windy wind|hairy hair|dusty dust|icy ice|leafy leaf|wooden wood|woody wood|furry fur|watery water|shady shade|bushy bush|\
foggy fog|misty mist|smoky smoke|salty salt|juicy juice|creamy cream|golden gold|silky silk|woolen wool|woollen wool`;

/** Multi-word phrases read as another phrase before anything else. */
export const PHRASES: ReadonlyArray<readonly [string, string]> = [
  ["rather than", "instead of"], ["results in", "leads to"], ["result in", "lead to"], ["resulted in", "led to"],
  ["came from", "caused by"], ["comes from", "caused by"], ["found out", "discovered"], ["figured out", "learned"],
  ["wrote down", "documented"], ["write down", "document"], ["stay away from", "avoid"], ["stayed away from", "avoided"],
  ["look at", "check"], ["looked at", "checked"], ["looking at", "checking"], ["make sure to", "always"],
  ["be careful about", "watch out for"], ["test suite", "tests"], ["underlying cause", "root cause"],
  ["dark glasses", "sunglasses"], ["body of water", "water"], ["cell phone", "phone"], ["mobile phone", "phone"],
];

/** Words of place and relation ("in", "on", "behind"); they count as a difference only when one text adds one. */
export const RELATION_WORDS = "in on at with into onto from through over under near by up down out off about around across along behind between inside outside toward towards against during without within upon beneath above below beside next front top back";

/** Verbs too general to name an action on their own ("use", "make"). */
export const LIGHT_VERBS = "use wear make do have get take go";

/** Pairs of opposite terms, compared as lemmas (in addition to the guard's toggles). */
export const OPPOSITE_TERMS = `on under|\
inside outside|\
in out|\
above below|\
over under|\
up down|\
into out|\
toward away|\
front behind|\
sit stand|\
big small|\
old young|\
tall short|\
long short|\
wet dry|\
black white|\
empty full|\
hot cold|\
open close|\
push pull|\
give take|\
buy sell|\
win lose|\
raise lower|\
happy sad|\
fast slow|\
left right|\
early late|\
same different|\
light dark|\
man woman|\
boy girl`;
