/* vocab.h -- word lists and text templates for the record generators
 * (bench/ywgen.c, bench/ywscenario.c; machinery in gen/core.h).
 *
 * Everything here describes one fictional city, 江临市, and the way its
 * citizens, hotline operators, grid workers and police write about their
 * problems.  The text is written for this project (modelled on the style
 * and length of real 12345 work orders and message-board posts, not copied
 * from them); names of estates, companies and roads are invented.
 *
 * Template language (expanded by gen/core.h):
 *   {X}        a slot: place, company, amount, phone ... (see put_slot)
 *   [a|b|c]    pick one alternative at random; may nest and hold slots
 * Templates are "neutral": they read right after a hotline opener
 * (来电人反映：), a grid opener (网格员巡查发现：), in a post, or after
 * 报警人称; {I} is the speaker as each source refers to it (其 / 我 ...).
 *
 * Included by gen/core.h only. */
#ifndef YWGEN_VOCAB_H
#define YWGEN_VOCAB_H

#define NEL(a) ((int)(sizeof(a) / sizeof((a)[0])))

typedef struct {
    const char *const *v;
    int n;
} list_t;
#define LIST(a) { a, NEL(a) }

/* ---- the city ------------------------------------------------------------ */

#define CITY "江临市"
#define CITY_SHORT "江临"
#define CITY_CODE "3699"   /* fictional province 36 + city 99 */

typedef struct {
    const char *name;
    const char *code;        /* 2 digits after CITY_CODE */
    int county;              /* 1: streets are 镇/乡 and communities mostly 村 */
    const char *streets[6];
} district_def_t;

static const district_def_t district_defs[] = {
    { "临江区", "02", 0, { "江滨街道", "解放街道", "文昌街道", "南门街道", "沿江街道", "古楼街道" } },
    { "望湖区", "03", 0, { "长岭街道", "望月街道", "湖心街道", "金桥街道", "荷塘街道", "新港街道" } },
    { "青山区", "04", 0, { "青山街道", "枫林街道", "石门街道", "翠屏街道", "红星街道", "马坡街道" } },
    { "北城区", "05", 0, { "新桥街道", "北站街道", "铁山街道", "龙潭街道", "丰收街道", "白鹭街道" } },
    { "南塘区", "06", 0, { "南塘街道", "梅溪街道", "桂花街道", "东风街道", "柳岸街道", "砂子塘街道" } },
    { "高新区", "71", 0, { "麓谷街道", "云创街道", "科园街道", "东湖街道", "启航街道", "智谷街道" } },
    { "云溪县", "21", 1, { "云溪镇", "黄土岭镇", "双河镇", "茶山镇", "永安乡", "观音桥镇" } },
    { "白沙县", "22", 1, { "白沙镇", "龙门镇", "清水镇", "桃花镇", "大坪乡", "石塘镇" } },
};

/* Community / village stems; each street takes 5 distinct ones. */
static const char *const community_stems[] = {
    "幸福", "和平", "建新", "光明", "向阳", "东塘", "西湖", "朝阳", "友谊",
    "育才", "红旗", "新华", "桥头", "杨柳", "枫树", "樟树", "金盆", "月亮湾",
    "水井", "仓前", "马家", "李家湾", "周家", "高岭", "石桥", "荷花", "竹园",
    "茶园", "丰泽", "永兴", "长安", "天心", "锦绣", "桃源", "太平", "新民",
    "五里牌", "黄泥", "清泉", "松柏", "梨树", "团结", "民主", "文化", "新河",
    "沙坪", "花桥", "大塘", "白果", "柏树", "凤凰", "紫荆", "燕子岭", "洪山",
    "映月", "青松", "聚福", "双桥", "先锋", "胜利", "万家", "龙王庙", "合兴",
};

/* Estates: prefix + suffix, plus old work-unit compounds. */
static const char *const estate_prefixes[] = {
    "锦绣", "金域", "翡翠", "阳光", "滨江", "上林", "香樟", "碧水", "紫薇",
    "桂园", "天悦", "世纪", "东方", "金色", "星河", "铂悦", "澜岸", "青枫",
    "书香", "福星", "怡景", "泰和", "盛世", "名都", "城南", "芙蓉", "中央",
    "半山", "湖畔", "橡树湾", "梧桐", "新时代", "国际", "龙城", "锦江",
    "金湾", "水岸", "君悦", "明珠", "丽景", "嘉和", "万福", "和美", "学府",
    "悦澜", "翠湖", "麓山", "江南", "云顶", "润园",
};
static const char *const estate_suffixes[] = {
    "小区", "花园", "苑", "新城", "府", "家园", "公馆", "华庭", "雅苑",
    "名邸", "佳园", "城", "一品", "小区", "花园",
};
static const char *const estate_old[] = {
    "纺织厂宿舍", "供电局家属院", "机械厂职工宿舍", "粮食局宿舍",
    "第二棉纺厂生活区", "水泥厂宿舍", "铁路新村", "教师新村", "化工厂宿舍",
    "农机站宿舍", "烟草公司宿舍", "老邮电局宿舍",
};

static const char *const road_suffixes[] = { "路", "路", "大道", "街", "中路", "北路" };
static const char *const road_common[] = {
    "人民路", "解放路", "建设路", "五一大道", "劳动路", "迎宾路", "车站路",
    "工业大道", "环城北路", "学院路", "商业街", "体育路",
};

/* Companies: stem + business; kinds pick the business list. */
static const char *const company_stems[] = {
    "宏达", "鑫源", "华盛", "隆兴", "恒通", "金鼎", "嘉禾", "瑞丰", "中联",
    "天成", "永利", "新锐", "博远", "润泽", "安和", "凯旋", "富康", "众诚",
    "卓越", "广源", "聚力", "德信", "万顺", "盈科", "汇通", "昌盛", "兴旺",
    "明远", "金石", "海川", "正邦", "兆丰", "宇辰", "锦程", "诚达", "佳润",
};

enum { CK_PROPERTY, CK_DEVELOPER, CK_LABOUR, CK_FACTORY, CK_SERVICE,
       CK_FINANCE, CK_ENV, CK_COUNT };

typedef struct {
    const char *full;   /* appended to the stem for the registered name */
    const char *shortn; /* appended to the stem for the name people use */
} company_biz_t;

static const company_biz_t biz_property[] = {
    { "物业管理有限公司", "物业" }, { "物业服务有限公司", "物业" },
};
static const company_biz_t biz_developer[] = {
    { "置业有限公司", "置业" }, { "房地产开发有限公司", "地产" },
};
static const company_biz_t biz_labour[] = {
    { "建筑劳务有限公司", "劳务" }, { "建设工程有限公司", "建设" },
    { "装饰工程有限公司", "装饰" },
};
static const company_biz_t biz_factory[] = {
    { "电子科技有限公司", "电子" }, { "服装有限公司", "服装厂" },
    { "食品有限公司", "食品厂" }, { "机械制造有限公司", "机械厂" },
    { "物流有限公司", "物流" }, { "包装材料有限公司", "包装厂" },
};
static const company_biz_t biz_service[] = {
    { "健身服务有限公司", "健身" }, { "教育咨询有限公司", "教育" },
    { "餐饮管理有限公司", "餐饮" }, { "汽车销售服务有限公司", "汽车" },
    { "美容美发有限公司", "美容" },
};
static const company_biz_t biz_finance[] = {
    { "投资管理有限公司", "投资" }, { "财富管理有限公司", "财富" },
    { "资产管理有限公司", "资产" },
};
static const company_biz_t biz_env[] = {
    { "化工有限公司", "化工厂" }, { "混凝土有限公司", "搅拌站" },
    { "环保科技有限公司", "环保" }, { "再生资源回收有限公司", "回收站" },
    { "橡胶制品有限公司", "橡胶厂" },
};

static const char *const shop_prefixes[] = {
    "老码头", "小李", "好再来", "星光", "悦动", "快乐时光", "湘味", "阿强",
    "红火", "老地方", "金牌", "一品香", "乐家", "鸿运", "大碗",
};
static const char *const shop_types[] = {
    "烧烤店", "火锅店", "超市", "KTV", "棋牌室", "酒吧", "大排档", "奶茶店",
    "汽修店", "便利店", "家常菜馆", "足浴店",
};

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙",
    "胡", "朱", "高", "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢",
    "唐", "邓", "彭", "曾", "肖", "田", "蒋", "廖",
};
static const char *const honorifics[] = {
    "先生", "女士", "先生", "女士", "师傅", "阿姨",
};

static const char *const account_places[] = {
    "江临", "望湖", "青山", "北城", "南塘", "云溪", "白沙", "临江", "", "", "",
};
static const char *const account_nouns[] = {
    "小市民", "业主", "打工人", "老百姓", "宝妈", "老王", "阿强", "吃瓜群众",
    "路人甲", "追风少年", "晴天", "小鱼儿", "向日葵", "老李头", "一只猫",
    "奋斗者", "夜猫子", "大学生", "退休老张", "小太阳", "星星点灯",
};

/* ---- small phrases -------------------------------------------------------- */

static const char *const t_night[] = {
    "晚上十一点多", "凌晨一两点", "半夜十二点", "凌晨三点", "晚上十点以后",
    "深夜", "凌晨两点多",
};
static const char *const t_months[] = {
    "两个月", "三个多月", "半年", "大半年", "四个月", "五个多月", "一年多",
};
static const char *const t_bus[] = {
    "12路", "23路", "105路", "7路", "游2路", "308路", "61路", "K15路",
};

/* Speaker as each source refers to it ({I}) and its possessive ({MY}):
 * hotline, grid, online, police. */
static const char *const t_i[4][3] = {
    { "其", "其", "来电人" },
    { "当事人", "当事人", "该居民" },
    { "我", "我", "本人" },
    { "其", "其", "其" },
};
static const char *const t_my[4] = { "其", "当事人的", "我的", "其" };

/* ---- source voices -------------------------------------------------------- */

static const char *const hl_open[] = {
    "来电人反映：", "市民来电反映，", "来电人称，", "来电反映：",
    "{NAME}来电反映：", "来电人{NAME}反映：", "市民来电称：",
};
static const char *const hl_more[] = {
    "来电人称已多次反映，问题一直未得到解决。",
    "来电人称之前向{DEPT}反映过，至今未得到答复。",
    "来电人称该问题已存在较长时间。",
    "来电人称已向{C}反映，社区表示无权处理。",
};
static const char *const hl_ask[] = {
    "来电人诉求：", "诉求：", "来电人希望", "来电人要求", "望相关部门",
};
static const char *const hl_emotion[] = {
    "来电人情绪激动，称各部门互相踢皮球，没人管。",
    "来电人表示非常寒心，反映这么久没有一个部门真正管事。",
    "来电人情绪较大，称投诉无门。",
    "来电人称一拖再拖，实在忍无可忍。",
    "来电人表示对相关部门的处理非常失望。",
};
static const char *const hl_escalate[] = {
    "来电人称若问题得不到解决，将组织{HH}联名上访。",
    "来电人表示将与其他业主一起到市政府反映。",
    "来电人称已有人准备拉横幅维权。",
    "来电人称再不解决就去省里上访。",
};
static const char *const hl_pii[] = {
    "来电人联系电话{PH}。", "来电人另留电话{PH}，请回电。",
    "来电人身份证号{ID}。", "来电人留下联系电话{PH}，要求回访。",
};

static const char *const gr_open[] = {
    "网格员巡查发现：", "网格员在{C}走访时，居民反映：", "接群众反映，",
    "{C}网格员上报：", "日常巡查中发现，", "网格员入户走访了解到，",
};
static const char *const gr_close[] = {
    "已拍照取证并上报{S}。", "已联系{DEPT}到现场处理。",
    "已向当事人做好解释安抚工作，后续持续跟进。", "已流转至{DEPT}办理。",
    "已登记在册，建议相关部门尽快处理。", "网格员已现场劝导，并上报{C}。",
};
static const char *const gr_emotion[] = {
    "居民情绪较大，反映多个部门相互推诿。", "居民称反映多次没人管，意见很大。",
};
static const char *const gr_escalate[] = {
    "居民表示准备联名向上反映，存在群体性上访苗头，需重点关注。",
    "部分群众扬言要去堵路，需重点关注。",
    "有居民称准备去市政府上访，已做好稳控劝导。",
};
static const char *const gr_pii[] = {
    "当事人联系电话{PH}。", "反映人电话{PH}。",
};

static const char *const ol_open[] = {
    "", "", "", "各位领导好，", "@江临发布 ", "求扩散！", "【求助】",
    "#江临身边事# ", "尊敬的领导：您好！", "实在没办法了才来这里发帖。",
};
static const char *const ol_more[] = {
    "我们小老百姓真的没有别的办法了。", "希望有关部门能看到这条。",
    "之前打过12345，说转给相关部门了，之后就没了下文。",
    "评论区里好多人都是一样的情况。", "附上照片，大家可以看看有多严重。",
};
static const char *const ol_ask[] = {
    "希望相关部门", "恳请有关部门", "请领导", "强烈要求", "希望政府能",
};
static const char *const ol_end[] = { "！", "。", "，谢谢！", "！！", "，拜托了。" };
static const char *const ol_emotion[] = {
    "真的让人寒心。", "打了十几次电话，各部门互相踢皮球，就是没人管。",
    "老百姓投诉无门，心都凉了。", "我们实在是忍无可忍了！", "到底还有没有人管？",
    "一拖再拖，太欺负老实人了。", "每次都说\"在处理\"，处理了个寂寞。",
    "心力交瘁，不知道还能找谁。",
};
static const char *const ol_escalate[] = {
    "如果再不解决，我们只能联名上访了。", "大家已经在准备联名信。",
    "大家商量好了，下周一起去市政府。", "再没人管我们就拉横幅了。",
    "有人说要去堵路，我们也不想走到这一步。", "已经准备把材料寄到省信访局。",
    "实在不行只能找媒体曝光了。",
};
static const char *const ol_pii[] = {
    "我的电话{PH}，有关部门可以联系我。", "实名反映，身份证{ID}。",
    "联系电话{PH}。",
};

static const char *const po_open[] = {
    "报警人称：", "{NAME}报警称，", "报警人称，", "接报警人电话称，",
    "110指令：报警人称", "报警人反映：",
};
static const char *const po_close[] = {
    "民警到场后已进行调解。", "民警已到场处置，双方情绪稳定。",
    "已告知其通过法律途径解决。", "已移交{DEPT}处理。", "民警正在赶往现场。",
    "经调解双方达成一致。", "民警到场后对双方进行了劝解，现场秩序恢复正常。",
};
static const char *const po_emotion[] = {
    "报警人情绪激动。", "报警人称多次反映没人管，情绪较大。",
};
static const char *const po_escalate[] = {
    "现场有人拉起横幅。", "有人扬言要去市政府上访。", "部分人员有堵路的迹象。",
};
static const char *const po_pii[] = { "报警人电话{PH}。", "报警人联系电话{PH}。" };

/* Hotline replies (by outcome) and the deflections the scorer looks for. */
static const char *const rp_resolved[] = {
    "经核实，{DEPT}已安排人员现场处理，问题已解决，来电人表示认可。",
    "已协调{DEPT}处理完毕，回访来电人，来电人表示满意。",
    "经{S}协调，相关单位已整改到位。",
};
static const char *const rp_pending[] = {
    "已转{DEPT}办理，正在处理中。", "已派单至{S}，待核实处理。",
};
static const char *const rp_unresolved[] = {
    "已转{DEPT}，对方称需进一步协调，暂时无法解决。",
    "经核实，该问题涉及多个部门，正在协调中，暂无明确解决时间。",
    "{DEPT}答复：已约谈相关单位，要求限期整改，目前尚未整改到位。",
};
static const char *const rp_dissatisfied[] = {
    "已按规定答复来电人，来电人对处理结果不满意。",
    "已电话回复，来电人不认可答复内容。",
};
static const char *const rp_deflect[] = {
    "经核实，该事项不属于我单位职责，建议来电人向{DEPT}反映。",
    "此事不归我办，已退回。",
    "该问题属于民事纠纷，不属于我单位职责范围，建议来电人通过司法途径解决。",
    "经查，该事项不属于本部门管辖，请来电人自行与{OS}协商。",
    "已告知来电人该问题不归我办，建议向{S}咨询。",
};
static const char *const ol_reply[] = {
    "网友您好！您的留言已收悉，我们已转交{DEPT}调查核实，请耐心等待。",
    "网友：您好，您反映的问题已转{S}办理，感谢您的监督。",
    "您好，经核实，该事项不属于我单位职责，建议向{DEPT}反映。",
    "网友您好！经{DEPT}实地查看，相关问题已督促整改。",
};

static const char *const grid_status[] = {
    "已上报", "处置中", "已办结", "已流转", "待核实", "已上报", "处置中",
};

/* ---- domains (background issues) ----------------------------------------- */

enum { PK_ESTATE, PK_COMPANY, PK_COMMUNITY, PK_ROAD, PK_SCHOOL, PK_HOSPITAL, PK_SHOP };

typedef struct {
    const char *name;
    const char *category;       /* hotline category */
    const char *event_type;     /* grid */
    const char *incident_type;  /* police */
    int company_kind;
    int amt_lo, amt_hi;         /* yuan */
    int weight[4];              /* per source: hotline, grid, online, police */
    list_t dept, title, core, more, ask, police;   /* title[i], ask[i] go with core[i] */
} domain_t;

/* 0 物业 */
static const char *const d0_dept[] = { "{D}住建局", "{S}物业办", "{D}房产局" };
static const char *const d0_core[] = {
    "{D}{S}{E}的物业{O}今年起擅自将物业费从每平米1.2元涨到1.8元，没有召开业主大会，也没有公示。",
    "{D}{E}{B}的电梯从{SINCE}起就坏了，物业{OS}说\"在等配件\"，到现在已经{DAYS}，楼上住的大多是老人。",
    "{E}的物业{OS}只收钱不做事，楼道垃圾[几天|一个星期]没人清，地下车库积水也不抽，监控全是坏的。",
    "{D}{S}{E}物业强行要求业主交完物业费才给办门禁卡，不交就不让车辆进小区。",
    "{E}的公共收益从来没有公示过，电梯广告、停车费的钱去了哪里业主一概不知。",
    "{E}物业把小区里的绿地改成了收费停车位，业主多次反对，{OS}置之不理。",
    "{E}{B}楼顶漏水，物业说要动用维修基金，业主签了字交上去[两个月|好几个月]了还没动静。",
};
static const char *const d0_title[] = {   /* title[i], ask[i] go with core[i] */
    "{E}物业擅自涨价", "{E}电梯坏了没人修", "投诉{OS}只收钱不服务",
    "{E}物业不交费不给门禁卡", "{E}公共收益不公开", "{E}绿地被改成收费停车位",
    "{E}楼顶漏水维修基金迟迟不动",
};
static const char *const d0_ask[] = {
    "[介入调查物业乱收费问题|责令物业停止违规涨价]", "[尽快安排维修电梯|督促物业尽快修好电梯]",
    "[督促物业公司履行职责|更换不作为的物业公司]", "[制止物业的违规行为|督促物业为业主正常办理门禁卡]",
    "[依法公开小区公共收益|督促物业公示公共收益]", "[恢复小区绿地|制止物业侵占公共绿地]",
    "[尽快启用维修基金修缮楼顶|督促物业尽快维修]",
};
static const char *const d0_more[] = {
    "业主多次到物业办公室反映，物业经理每次都说会处理，但一直没有下文。",
    "物业工作人员态度恶劣，还说有本事去告。",
    "小区里住的老人比较多，大家意见都很大。",
    "之前也向{C}反映过，社区说会协调，但到现在还是老样子。",
    "业主群里大家意见都很大，很多人表示不再交物业费。",
    "物业合同早已到期，{OS}拒不退出，也不配合业委会选聘新物业。",
};
static const char *const d0_police[] = {
    "在{E}物业服务中心与物业工作人员因停车收费问题发生争执，要求民警到场处理。",
    "在{E}门口，物业保安不让其车辆进入小区，双方发生口角。",
    "{E}{B}的业主与物业人员因欠缴物业费被停门禁卡一事发生推搡。",
};

/* 1 停水停电 */
static const char *const d1_dept[] = { "供水公司", "供电公司", "{D}水务局", "{S}" };
static const char *const d1_core[] = {
    "{D}{S}{E}{B}从{SINCE}开始停水，到现在已经{DAYS}了，物业和供水公司都说不清楚什么时候能恢复。家里有老人和小孩，没有水连饭都做不了。",
    "{E}最近半个月停电{n}次，每次都是晚上，没有任何通知，家里冰箱里的东西全坏了。",
    "{D}{E}高层住户长期水压不足，{n}楼以上白天基本没水，只能半夜起来接水。",
    "{E}附近修路挖断了水管，{n}栋到现在都没水，供水公司说施工方负责，施工方又说不归他们管。物业只拉了一车水放在门口，根本不够用。",
    "{S}{C}一带从{SINCE}起经常无故停电，电压也不稳，好几户家里的电器被烧坏。",
    "{E}的自来水发黄有异味，烧开后有很多沉淀，已经持续{DAYS}。",
};
static const char *const d1_title[] = {
    "{E}长时间停水", "{E}频繁停电", "{E}高层水压低", "{E}修路挖断水管停水",
    "{C}经常无故停电", "{E}自来水水质差",
};
static const char *const d1_ask[] = {
    "尽快恢复供水", "查明停电原因，以后停电提前通知", "解决高层水压不足问题",
    "尽快抢修水管恢复供水", "[查明停电原因|对线路进行检修]，赔偿居民损失", "对水质进行检测并公布结果",
};
static const char *const d1_more[] = {
    "打热线电话一直占线，打通了也只是记录一下。",
    "问了物业，物业说不是他们的问题，他们也没办法。",
    "邻居们都是同样的情况，大家都很着急。",
    "这种情况已经不是第一次了，每次都没有一个说法。",
};
static const char *const d1_police[] = {
    "{E}{B}停电已{DAYS}，家中老人需要用制氧机，请求帮助。",
    "在{E}，居民因长时间停水聚集在物业办公室，要求给说法。",
};

/* 2 噪音 */
static const char *const d2_dept[] = { "{D}城管局", "{D}生态环境分局", "{D}住建局", "辖区派出所" };
static const char *const d2_core[] = {
    "{D}{R}旁边的{PROJ}每天施工到{NIGHT}，打桩机、渣土车声音很大，周边{E}的居民根本无法休息。问过施工方，他们说有夜间施工许可证，但一直拿不出来。",
    "{E}楼下的{SHOP}每天营业到凌晨，音响开得很大，客人划拳喝酒吵闹。",
    "{E}门口的广场每天早上六点和晚上七点都有人跳广场舞，音响声音特别大。",
    "{E}{B}楼上住户长期在{NIGHT}拖动家具、敲打地面，多次沟通无果。",
    "{R}上的{SHOP}门口装了大喇叭循环播放促销广告，从早到晚不停。",
};
static const char *const d2_title[] = {
    "{R}工地夜间施工扰民", "投诉{SHOP}噪音扰民", "{E}广场舞噪音问题", "{E}楼上噪音问题",
    "{R}商铺喇叭噪音",
};
static const char *const d2_ask[] = {
    "依法查处夜间违规施工", "责令商户降低音量、按时打烊", "规范广场舞活动时间和音量",
    "上门调查处理噪音扰民问题", "责令商户拆除喇叭",
};
static const char *const d2_more[] = {
    "孩子马上要中考，每天晚上都被吵得睡不着。",
    "已经打过很多次电话，来人了就停，走了又开始。",
    "家里老人有心脏病，长期休息不好身体吃不消。",
    "周边好多住户都有意见，但一直没人管。",
};
static const char *const d2_police[] = {
    "{E}{B}楼上住户深夜大声喧哗，影响休息。",
    "在{R}{SHOP}，店内音乐声音过大，多次协商未果。",
    "{R}的在建工地{NIGHT}仍在施工，噪音很大。",
};

/* 3 欠薪 */
static const char *const d3_dept[] = { "{D}人社局", "{D}劳动监察大队", "{D}住建局" };
static const char *const d3_core[] = {
    "{I}在{PROJ}做[钢筋工|木工|泥瓦工|水电工]，{O}拖欠{I}{MON}工资共{AMT}，包工头一直推说甲方没有拨款。",
    "{O}从{SINCE}开始就没有按时发工资，现在已经欠了{MON}，公司老板电话也不接。",
    "{D}的{O}拖欠{HC}的工资，合计{AMT}左右，公司说资金周转困难让大家再等等。",
    "{I}在{O}上班，离职时公司以各种理由扣发最后两个月工资{AMT}。",
    "{I}在{PROJ}干了大半年，{OS}只发了生活费，剩下的{AMT}工资一直拖着不给。",
};
static const char *const d3_title[] = {
    "{O}拖欠工资", "{OS}长期拖欠工资", "{O}欠薪问题", "{OS}离职不结工资", "求助讨要{PROJ}工资",
};
static const char *const d3_ask[] = {
    "[责令{OS}尽快支付拖欠的工资|帮助农民工讨回血汗钱]", "责令{OS}尽快足额发放工资",
    "依法查处{OS}恶意欠薪行为", "责令{OS}结清工资", "帮助农民工讨回血汗钱",
};
static const char *const d3_more[] = {
    "家里还有老人孩子等着这笔钱用。",
    "去劳动监察大队反映过，说会调查，到现在没有消息。",
    "工友们去公司找过好几次，老板一直避而不见。",
    "当时没有签劳动合同，只有考勤记录和工友可以作证。",
    "马上要交孩子学费了，实在没办法才反映。",
};
static const char *const d3_police[] = {
    "在{PROJ}门口，{HC}因工资问题与项目负责人发生争执。",
    "{O}老板拖欠其工资{AMT}拒不支付，现在公司门口。",
};

/* 4 拆迁征地 */
static const char *const d4_dept[] = { "{D}房屋征收办", "{D}自然资源局", "{S}" };
static const char *const d4_core[] = {
    "{D}{S}{C}因{R}拓宽工程征收房屋，补偿标准还是按十年前的，每平米只有{AMT}，根本买不到房。",
    "{S}{C}的集体土地被征收已经{MON}，征地补偿款至今没有发放到村民手里。",
    "{C}的安置房说好{DUE}交付，到现在连地基都没打，过渡费也停发了。",
    "{S}在没有签订补偿协议的情况下，{SINCE}凌晨组织人员强拆了{C}{n}户村民的房屋。",
    "{C}的拆迁评估价明显偏低，同一排房子补偿相差好几万，村民怀疑有人暗箱操作。",
};
static const char *const d4_title[] = {
    "{R}拓宽工程征收补偿问题", "{C}征地补偿款未发放", "关于{C}安置房的诉求", "{S}{C}强拆问题",
    "{C}拆迁评估不公",
};
static const char *const d4_ask[] = {
    "依法依规给予合理补偿", "公开征地补偿资金去向，尽快发放补偿款", "尽快落实安置房建设，恢复发放过渡费",
    "立即停止违法强拆，依法赔偿", "重新评估，公开征收补偿标准",
};
static const char *const d4_more[] = {
    "村里开了几次会，村干部对补偿的事说不清楚。",
    "家里几代人都住在这里，现在连个住的地方都没有。",
    "征收公告没有公示，很多村民不知道具体政策。",
    "找{S}反映，工作人员说这是区里定的，街道做不了主。",
};
static const char *const d4_police[] = {
    "在{C}拆迁现场，村民与施工人员发生冲突，要求民警到场。",
    "有人在{C}强行拆除其房屋。",
};

/* 5 延期交房 / 烂尾 */
static const char *const d5_dept[] = { "{D}住建局", "{D}房产局", "不动产登记中心" };
static const char *const d5_core[] = {
    "{D}{E}的开发商{O}合同约定{DUE}交房，至今逾期{MON}，开发商没有给任何说法。",
    "{E}交房时发现墙体开裂、窗户渗水，{OS}只同意简单修补，拒绝赔偿。",
    "{E}已经交房{n}年了，开发商一直办不下来不动产证，孩子上学都受影响。",
    "{E}项目已经停工{MON}，工地上只剩几个看门的，售楼部也关门了。",
    "{OS}在{E}的宣传中承诺的配套幼儿园和商业街，交房后全部变成了住宅。",
};
static const char *const d5_title[] = {
    "{E}延期交房", "{E}交房质量问题严重", "{E}迟迟办不了房产证", "{E}项目停工", "{OS}虚假宣传",
};
static const char *const d5_ask[] = {
    "督促开发商尽快交房并支付逾期违约金", "督促开发商彻底整改房屋质量问题", "协调尽快办理不动产证",
    "督促开发商尽快复工", "查处开发商虚假宣传",
};
static const char *const d5_more[] = {
    "很多业主是掏空了积蓄买的房，现在一边还房贷一边租房住。",
    "开发商的销售电话都打不通了。",
    "业主代表去{DEPT}反映，对方让回去等通知。",
    "找开发商理论，对方一直推脱。",
};
static const char *const d5_police[] = {
    "在{E}售楼部，{HC}因交房问题与销售人员发生争执。",
};

/* 6 集资理财 */
static const char *const d6_dept[] = { "地方金融监管局", "公安局经侦支队", "{D}市场监管局" };
static const char *const d6_core[] = {
    "{I}在{O}买了一款年化收益12%的理财产品，投了{AMT}，到期后一直无法兑付。",
    "{O}以养老项目为名向老年人集资，承诺月息2分，现在公司人去楼空。",
    "{OS}的APP从{SINCE}起就提现不了，客服说\"系统升级\"，群里已经有{HC}在问。",
    "{D}{RN}的{O}经常组织老人免费旅游、领鸡蛋，然后推销理财产品，{I}家老人投了{AMT}。",
};
static const char *const d6_title[] = {
    "{O}理财无法兑付", "举报{OS}涉嫌非法集资", "{OS}平台提现困难", "{OS}向老人推销理财",
};
static const char *const d6_ask[] = {
    "帮助追回本金", "立案调查{OS}涉嫌非法集资", "调查{OS}平台，冻结公司资产", "查处{OS}的违法行为，追回老人的钱",
};
static const char *const d6_more[] = {
    "那是家里一辈子的积蓄。",
    "业务员当时拍胸脯保证保本保息，现在电话都打不通了。",
    "公司办公室已经搬空了，门口贴着装修的告示。",
    "已经去派出所报过案，说要等经侦那边统一处理。",
};
static const char *const d6_police[] = {
    "在{O}投资{AMT}无法取回，怀疑被骗。",
    "在{RN}{O}门口，十余名投资人聚集要求退钱。",
};

/* 7 环保邻避 */
static const char *const d7_dept[] = { "{D}生态环境分局", "{D}城管局", "自然资源和规划局" };
static const char *const d7_core[] = {
    "{D}{S}的{O}每天晚上排放刺鼻的气体，{E}的居民晚上都不敢开窗。白天不排，专门晚上偷偷排。",
    "{E}旁边规划建设垃圾中转站，离住宅楼不到五十米，事前没有征求居民意见。",
    "{O}的污水直接排进{C}旁边的小河，河水发黑发臭，鱼都死了。",
    "{R}旁的{O}粉尘很大，周边{E}的车辆和阳台每天都落一层灰。",
    "听说{S}要在{C}附近建垃圾焚烧发电厂，周边几个小区的居民都很担心。",
};
static const char *const d7_title[] = {
    "{E}附近工厂排放异味", "反对在{E}旁建设垃圾中转站", "{O}偷排污水", "{R}旁企业粉尘污染",
    "{C}附近规划建设垃圾焚烧厂",
};
static const char *const d7_ask[] = {
    "对{OS}进行执法检查", "重新论证选址，公开规划依据", "依法查处违法排污企业",
    "对{OS}进行整治，减少粉尘污染", "公开环评报告，充分听取居民意见",
};
static const char *const d7_more[] = {
    "小区里好几个孩子出现咳嗽、过敏的症状。",
    "规划公示只贴了几天，很多居民根本不知道。",
    "大家在业主群里讨论，都很担心对健康的影响。",
    "向环保部门反映过，来检查的时候一切正常，走了又照旧。",
};
static const char *const d7_police[] = {
    "在{R}{O}门口，周边居民因排污问题聚集，与厂方人员发生争执。",
};

/* 8 教育学位 */
static const char *const d8_dept[] = { "{D}教育局", "市教育局" };
static const char *const d8_core[] = {
    "{E}买房时开发商宣传是{SCH}学区，今年划片却被划到了五公里外的学校。",
    "{I}家孩子今年上一年级，户口和房产都在{E}，但{SCH}说学位已满，让去别的学校。",
    "{SCH}以课后服务的名义每学期收取{AMT}费用，家长不交孩子就要在走廊等。",
    "{SCH}附近上学放学时段交通十分混乱，孩子过马路很危险。",
    "随迁子女入学要求的材料太多，社保要连续缴满{n}年，{I}实在凑不齐。",
};
static const char *const d8_title[] = {
    "{E}学位划片问题", "{E}业主子女无法就近入学", "{SCH}乱收费", "{SCH}门口交通混乱",
    "随迁子女入学问题",
};
static const char *const d8_ask[] = {
    "公开学区划片依据", "保障适龄儿童就近入学", "规范学校收费行为",
    "在上学放学时段安排交警疏导", "简化随迁子女入学手续",
};
static const char *const d8_more[] = {
    "问了{DEPT}，工作人员说按政策执行，但政策一年一个样。",
    "孩子马上就要开学了，家长都很着急。",
    "身边好多家长都面临同样的问题。",
};
static const char *const d8_police[] = {
    "在{SCH}门口，家长因入学问题与学校工作人员发生争执。",
};

/* 9 医疗 */
static const char *const d9_dept[] = { "市卫健委", "{D}卫健局", "市医保局" };
static const char *const d9_core[] = {
    "{I}家老人在{HOS}做了手术，术后出现严重感染，医院一直推卸责任。",
    "{HOS}住院费用清单里有很多项目根本没有做过，多收了{AMT}。",
    "在{HOS}看病排队三个小时，医生看了不到两分钟就开了一堆检查。",
    "{MY}异地医保在{HOS}无法直接结算，回参保地报销又说材料不全。",
    "{HOS}急诊夜间只有一个医生值班，病人等了两个多小时没人看。",
};
static const char *const d9_title[] = {
    "投诉{HOS}医疗事故", "{HOS}乱收费", "{HOS}看病难", "异地医保结算问题", "{HOS}急诊无人看",
};
static const char *const d9_ask[] = {
    "认真调查处理，给出合理的解释和赔偿", "核查费用清单，退还多收的费用", "改善医院服务",
    "解决异地医保结算问题", "加强急诊夜间值班力量",
};
static const char *const d9_more[] = {
    "找医院医务科反映，对方态度很敷衍。",
    "医院每次都说会研究，然后就没下文了。",
    "看个病比登天还难。",
};
static const char *const d9_police[] = {
    "在{HOS}住院部，患者家属与医生发生争执，要求民警到场。",
};

/* 10 交通 */
static const char *const d10_dept[] = { "交警{D}大队", "市交通运输局", "{D}城管局" };
static const char *const d10_core[] = {
    "{D}{R}与{R2}交叉口的红绿灯时间太短，老人小孩过马路非常危险，已经发生过好几次事故。",
    "{R}路面坑洼不平，下雨天积水很深，已经有电动车摔倒。",
    "{BUS}公交车班次太少，早高峰要等四十分钟，{E}的居民出行很不方便。",
    "{E}门口的{R}两边被车辆乱停乱放，经常堵得消防车都进不去。",
    "{R}上的路灯坏了{DAYS}，晚上一片漆黑，下夜班回家很不安全。",
    "{R}上的渣土车超速超载，撒落的泥土到处都是。",
};
static const char *const d10_title[] = {
    "{R}红绿灯设置不合理", "{R}路面坑洼", "{BUS}公交车班次太少", "{E}门口乱停车", "{R}路灯不亮",
    "{R}渣土车问题",
};
static const char *const d10_ask[] = {
    "延长行人绿灯时间", "尽快修复路面", "增加公交班次", "加强违停执法", "尽快修复路灯",
    "整治渣土车超速超载",
};
static const char *const d10_more[] = {
    "反映过好几次，说会安排人来看，一直没见到人。",
    "附近有学校，每天接送孩子的家长都很担心。",
    "周边居民每天都要经过这里，意见很大。",
};
static const char *const d10_police[] = {
    "在{R}与{R2}路口，两车发生轻微刮擦，双方因责任问题争执。",
    "{E}门口有车辆堵住消防通道，联系不上车主。",
};

/* 11 市容环境 */
static const char *const d11_dept[] = { "{D}城管局", "{S}", "{D}环卫处" };
static const char *const d11_core[] = {
    "{S}{C}{R}旁的垃圾点已经{DAYS}没人清运，垃圾堆成小山，臭气熏天。",
    "{R}人行道上每天晚上都被夜宵摊占满，油烟和垃圾很多，行人只能走机动车道。",
    "{E}{B}一楼住户私自在公共绿地上搭建阳光房，还把围墙打通开了店面。",
    "{C}的下水道堵塞，污水漫到路面上，居民进出都要踩着砖头。",
    "{E}顶楼有住户违章加盖了一层，已经影响到楼体安全。",
    "{E}楼道里电动车飞线充电的情况很普遍，存在很大的火灾隐患。",
};
static const char *const d11_title[] = {
    "{C}垃圾堆积无人清理", "{R}占道经营", "{E}违章搭建", "{C}下水道堵塞", "{E}顶楼违建",
    "{E}电动车飞线充电",
};
static const char *const d11_ask[] = {
    "尽快清运垃圾", "规范占道经营", "依法拆除违章建筑", "尽快疏通下水道", "依法拆除违章建筑",
    "增设充电桩，整治飞线充电",
};
static const char *const d11_more[] = {
    "向城管反映过，来了拍个照就走了。",
    "居民们苦不堪言。",
    "社区说没有执法权，让找城管。",
};
static const char *const d11_police[] = {
    "{R}有人占道经营，与城管队员发生争执。",
};

/* 12 消费纠纷 */
static const char *const d12_dept[] = { "{D}市场监管局", "消费者协会", "{D}教育局" };
static const char *const d12_core[] = {
    "{I}在{RN}的{O}办了健身年卡{AMT}，才用了两个月健身房就关门了，老板联系不上。",
    "{I}给孩子在{O}报了一年的课程，交了{AMT}，机构突然停课，至今没有退费。跟{I}一样交了钱的家长有{HC}。",
    "{I}在{SHOP}买的东西有质量问题，商家拒绝退换，态度还很恶劣。",
    "{SHOP}卖过期食品，{I}吃了以后上吐下泻，商家只愿意退货款。",
    "{I}在{O}买的二手车隐瞒了泡水事故，要求退车被拒绝。",
};
static const char *const d12_title[] = {
    "{OS}健身卡无法退款", "{O}培训机构跑路", "{SHOP}拒不退换", "{SHOP}售卖过期食品",
    "{O}二手车欺诈",
};
static const char *const d12_ask[] = {
    "督促商家退款", "督促机构退费", "督促商家退换", "查处{SHOP}售卖过期食品，依法赔偿",
    "查处{OS}的欺诈行为",
};
static const char *const d12_more[] = {
    "门店已经关门，门上贴着停业装修的通知。",
    "打12315投诉过，说会调解，到现在没有结果。",
    "商家一直推脱，就是不解决。",
};
static const char *const d12_police[] = {
    "在{SHOP}因退款问题与店主发生争执。",
    "{O}收了{AMT}培训费后关门跑路。",
};

/* 13 邻里纠纷 */
static const char *const d13_dept[] = { "{C}", "辖区派出所", "{S}人民调解委员会" };
static const char *const d13_core[] = {
    "{E}{B}对门邻居长期在公共楼道堆放杂物，还装了铁门把楼道圈起来。",
    "{E}楼上邻居家卫生间漏水，把{I}家天花板泡坏了，邻居拒不维修赔偿。",
    "{E}有住户在家里养了好几条大狗，不拴绳还在楼道随地大小便，晚上狂叫不停。",
    "{E}{B}楼下住户在窗外私装摄像头正对{I}家门口。",
};
static const char *const d13_title[] = {
    "{E}邻居占用公共楼道", "{E}楼上漏水邻居不处理", "{E}养狗扰民", "{E}邻居私装摄像头",
};
static const char *const d13_ask[] = {
    "依法处理侵占公共空间的行为", "社区出面协调维修赔偿", "依法处理不文明养犬行为",
    "责令邻居拆除摄像头",
};
static const char *const d13_more[] = {
    "社区调解了几次，对方当面答应，回头又照样。",
    "双方已经因为这件事吵过好几次架。",
    "担心再这样下去会出事。",
};
static const char *const d13_police[] = {
    "在{E}{B}与邻居因漏水问题发生争吵，对方动手推搡。",
    "{E}楼上邻居的狗咬伤了其孩子。",
    "在{E}楼道，两户邻居因堆放杂物发生争执。",
};

#define DOMAIN(nm, cat, ev, inc, ck, lo, hi, w0, w1, w2, w3, p)                 \
    { nm, cat, ev, inc, ck, lo, hi, { w0, w1, w2, w3 }, LIST(p##_dept),           \
      LIST(p##_title), LIST(p##_core), LIST(p##_more), LIST(p##_ask),             \
      LIST(p##_police) }

static const domain_t domains[] = {
    DOMAIN("物业", "城乡建设/物业管理", "物业管理", "纠纷/物业纠纷", CK_PROPERTY, 300, 5000, 12, 8, 8, 5, d0),
    DOMAIN("停水停电", "城乡建设/供水供电", "公共设施", "求助/其他求助", CK_PROPERTY, 100, 2000, 12, 6, 6, 2, d1),
    DOMAIN("噪音", "环境保护/噪声污染", "噪音扰民", "治安/噪音扰民", CK_SERVICE, 100, 1000, 10, 6, 6, 12, d2),
    DOMAIN("欠薪", "劳动保障/拖欠工资", "劳资纠纷", "纠纷/劳资纠纷", CK_LABOUR, 3000, 90000, 7, 4, 5, 8, d3),
    DOMAIN("拆迁征地", "城乡建设/征地拆迁", "征地拆迁", "纠纷/拆迁纠纷", CK_DEVELOPER, 1800, 6000, 4, 4, 4, 2, d4),
    DOMAIN("延期交房", "城乡建设/房地产开发", "矛盾纠纷", "纠纷/经济纠纷", CK_DEVELOPER, 10000, 300000, 4, 2, 5, 1, d5),
    DOMAIN("集资理财", "经济管理/非法集资", "金融风险", "诈骗/经济纠纷", CK_FINANCE, 20000, 500000, 2, 1, 4, 3, d6),
    DOMAIN("环保邻避", "环境保护/大气水污染", "环境污染", "求助/环境污染", CK_ENV, 100, 1000, 6, 7, 6, 1, d7),
    DOMAIN("教育学位", "教育/入学", "群众诉求", "纠纷/其他纠纷", CK_SERVICE, 300, 3000, 6, 1, 7, 1, d8),
    DOMAIN("医疗", "卫生健康/医疗服务", "群众诉求", "纠纷/医患纠纷", CK_SERVICE, 500, 30000, 6, 1, 6, 3, d9),
    DOMAIN("交通", "交通运输/道路交通", "道路设施", "交通/交通事故", CK_SERVICE, 100, 1000, 8, 6, 7, 6, d10),
    DOMAIN("市容环境", "城市管理/市容环境", "市容环境", "求助/其他求助", CK_SERVICE, 100, 1000, 8, 14, 5, 2, d11),
    DOMAIN("消费纠纷", "市场监管/消费维权", "矛盾纠纷", "纠纷/经济纠纷", CK_SERVICE, 500, 30000, 7, 1, 7, 6, d12),
    DOMAIN("邻里纠纷", "社会治安/邻里纠纷", "矛盾纠纷", "纠纷/邻里纠纷", CK_PROPERTY, 100, 3000, 3, 5, 2, 12, d13),
};
#define NDOMAINS NEL(domains)

/* ---- ywgen --scenario demo: the planted issues (texts in demo.h) -------- */

/* The planted issues' fixed names and places.  district/street index into
 * district_defs; community is that street's first community. */
typedef struct {
    const char *name;        /* for --help and the README */
    int domain;              /* background domain it belongs to */
    int district, street;
    const char *estate, *company, *company_short, *project, *road, *road_no;
    double share;            /* fraction of --records */
    double start_frac;       /* first day = round(start_frac * days) */
    double growth;           /* last day / first day volume */
    double src_weight[3][4]; /* by stage: hotline, grid, online, police */
} plant_def_t;

static const plant_def_t plant_defs[3] = {
    { "御景湾花园二期延期交房", 5, 1, 0, "御景湾花园", "江临恒瑞置业有限公司",
      "恒瑞置业", "御景湾花园二期项目", "望湖大道", "望湖大道188号",
      0.040, 0.15, 10.0,
      { { 55, 10, 35, 0 }, { 40, 15, 35, 10 }, { 30, 15, 35, 20 } } },
    { "宏建劳务拖欠农民工工资", 3, 3, 0, "北辰壹号院", "江临市宏建建筑劳务有限公司",
      "宏建劳务", "北辰壹号院项目工地", "新桥路", "新桥路66号",
      0.030, 0.30, 8.0,
      { { 60, 15, 10, 15 }, { 45, 20, 15, 20 }, { 30, 15, 25, 30 } } },
    { "鑫融汇理财无法兑付", 6, 0, 0, "金融大厦", "江临鑫融汇投资管理有限公司",
      "鑫融汇", "鑫融宝", "滨江路", "滨江路99号金融大厦18楼",
      0.020, 0.55, 6.0,
      { { 40, 5, 50, 5 }, { 35, 10, 45, 10 }, { 25, 15, 40, 20 } } },
};

#endif
