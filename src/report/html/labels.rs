//! The words of the HTML reports in Chinese (the default: the reports are read by Shenzhen
//! analysts) and English. Machine codes (statuses, rule keys, finding codes) stay as they
//! are in report.json; these are the labels shown beside them.

use std::fmt;
use std::str::FromStr;

/// The language of the HTML reports (`--lang zh|en`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language `{other}`; use zh or en")),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Lang {
    /// The `lang` attribute of the page.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The label of `key`, in this language (the key itself when none is defined, so a
    /// missing label shows up as a code, never as an empty cell).
    pub fn t(self, key: &str) -> &str {
        LABELS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or(key, |(_, zh, en)| match self {
                Lang::Zh => zh,
                Lang::En => en,
            })
    }

    /// "Chinese (code)" or "English (code)": a label with the machine code beside it.
    pub fn with_code(self, key: &str) -> String {
        let label = self.t(key);
        if label == key {
            key.to_string()
        } else {
            format!("{label} ({key})")
        }
    }
}

/// (key, 中文, English). Keys are the report.json codes where one exists.
const LABELS: &[(&str, &str, &str)] = &[
    // Page structure.
    (
        "project_report",
        "土地整备利益统筹项目测算报告",
        "Land-consolidation project assessment",
    ),
    (
        "district_index",
        "片区批量测算总览",
        "District batch assessment",
    ),
    (
        "not_official_title",
        "以下取值并非正式公布的规则值",
        "These values are NOT OFFICIAL",
    ),
    (
        "not_official_note",
        "本报告的数值依赖下列示意性（未公布）取值，仅供测算参考；使用前请在规则集中替换为正式取值。",
        "The figures below depend on these illustrative (unpublished) values: replace them in the rule set before relying on the result.",
    ),
    (
        "all_official",
        "所用规则值均为正式或草案取值。",
        "Every rule value used is official or draft.",
    ),
    ("headline", "主要指标", "Key figures"),
    ("map", "地图", "Map"),
    ("chain", "测算过程", "Computation chain"),
    ("siting", "留用土地选址", "Retained-land siting"),
    ("findings", "问题与提示", "Findings"),
    ("warnings", "说明", "Warnings"),
    ("parcels", "宗地", "Parcels"),
    ("inputs", "输入图层", "Input layers"),
    ("rule_values", "所用规则值", "Rule values used"),
    ("projects", "项目", "Projects"),
    ("none", "无", "none"),
    // Header fields.
    ("project_id", "项目编号", "Project"),
    ("name", "名称", "Name"),
    ("assessment_date", "测算基准日", "Assessment date"),
    ("rules", "适用规则", "Rules"),
    ("rule_reason", "规则选择依据", "Why these rules"),
    ("crs", "坐标系", "CRS"),
    ("tool", "生成工具", "Written by"),
    ("new", "2022 年征求意见稿规则", "2022 draft rules"),
    ("rules2018", "2018 年规则", "2018 rules"),
    ("2022_draft", "2022 年征求意见稿规则", "2022 draft rules"),
    ("2018", "2018 年规则", "2018 rules"),
    (
        "not_a_2018_figure",
        "2018 年规则无此项",
        "not a figure of the 2018 rules",
    ),
    (
        "base_floor_area_2018",
        "2018 年规则：基础容积",
        "2018 rules: base floor area",
    ),
    // Map.
    ("colour_by", "着色方式", "Colour by"),
    ("by_status", "宗地状态", "parcel status"),
    ("by_tenure", "权属类型", "tenure class"),
    ("show_zones", "密度分区", "density zones"),
    ("show_sites", "留用土地选址", "retained-land sites"),
    ("boundary", "项目范围线", "project boundary"),
    ("zone", "密度分区", "density zone"),
    ("grid_north", "坐标北", "grid north"),
    (
        "map_note",
        "投影坐标，单位米；鼠标悬停查看详情。",
        "Projected coordinates, metres; hover for details.",
    ),
    (
        "map_absent",
        "批量模式下各项目不单独出图，见片区总览地图。",
        "In a batch the project map is on the district index.",
    ),
    ("conflict", "存在问题", "has a finding"),
    (
        "back_to_index",
        "返回片区总览",
        "back to the district index",
    ),
    // Parcel statuses.
    ("counted", "计入", "counted"),
    ("excluded", "不计入", "excluded"),
    ("sliver", "碎片（不计入）", "sliver (not counted)"),
    ("outside", "范围外", "outside"),
    ("geometry_error", "几何错误", "geometry error"),
    (
        "show_outside",
        "显示范围外宗地",
        "show parcels outside the project",
    ),
    // Site placements.
    ("inside", "范围内", "inside"),
    ("straddling", "跨越范围线", "straddling"),
    // Tenure classes (权属类型).
    (
        "collective_nonagri_commercial",
        "非农建设用地（工商）",
        "non-agricultural construction land (commercial)",
    ),
    (
        "collective_nonagri_industrial",
        "非农建设用地（工业）",
        "non-agricultural construction land (industrial)",
    ),
    (
        "unfinished_requisition",
        "未完善征（转）地补偿手续用地",
        "unfinished requisition compensation",
    ),
    (
        "requisition_return",
        "征地返还用地",
        "requisition-return land",
    ),
    ("old_village", "旧屋村用地", "old village"),
    (
        "requisitioned_ungranted",
        "已征未完善出让手续用地",
        "requisitioned, grant unfinished",
    ),
    ("state_granted", "国有已出让用地", "state land, granted"),
    ("state_reserve", "国有储备用地", "state reserve land"),
    ("unclassified", "未分类", "unclassified"),
    // Value statuses.
    ("official", "正式", "official"),
    ("draft", "征求意见稿", "draft"),
    (
        "illustrative",
        "示意（非正式）",
        "illustrative (not official)",
    ),
    // Severities.
    ("info", "提示", "info"),
    ("warning", "警告", "warning"),
    ("violation", "违反规则", "violation"),
    // Batch statuses.
    ("ps_ok", "通过", "ok"),
    ("ps_findings", "有问题", "with findings"),
    ("ps_failed", "失败", "failed"),
    ("overlaps", "项目范围重叠", "Overlapping projects"),
    ("report", "报告", "report"),
    ("error", "错误", "error"),
    (
        "not_on_map",
        "未能测算的项目不在地图上显示。",
        "Failed projects have no map outline when their boundary is unusable.",
    ),
    // Figures.
    (
        "boundary_area_m2",
        "项目范围面积 (m²)",
        "boundary area (m²)",
    ),
    (
        "counted_land_area_m2",
        "计入用地面积 A (m²)",
        "counted land area A (m²)",
    ),
    (
        "land_rights_coef",
        "土地权益修正系数 λ",
        "land-rights coefficient λ",
    ),
    ("density_base_far", "基准容积率 FAR_b", "density base FAR_b"),
    ("existing_far", "现状容积率 FAR_e", "existing FAR_e"),
    (
        "intensity_coef",
        "现状开发强度系数 ι",
        "intensity coefficient ι",
    ),
    (
        "building_type_coef",
        "建筑类型修正系数 τ",
        "building-type coefficient τ",
    ),
    (
        "building_rights_coef",
        "建筑物权益修正系数 β",
        "building-rights coefficient β",
    ),
    ("function_coef", "功能修正系数 φ", "function coefficient φ"),
    (
        "rights_floor_area_m2",
        "权益容积 R (m²)",
        "rights floor area R (m²)",
    ),
    (
        "facility_floor_area_m2",
        "配套容积 F (m²)",
        "facility floor area F (m²)",
    ),
    (
        "shared_floor_area_m2",
        "共享容积 S (m²)",
        "shared floor area S (m²)",
    ),
    (
        "planned_floor_area_m2",
        "规划容积 P (m²)",
        "planned floor area P (m²)",
    ),
    (
        "retained_land_area_m2",
        "留用土地面积 L (m²)",
        "retained-land area L (m²)",
    ),
    (
        "base_floor_area_m2",
        "基础容积 (m²)",
        "base floor area (m²)",
    ),
    (
        "largest_contiguous_area_m2",
        "最大连片未完善征转用地 (m²)",
        "largest contiguous unfinished land (m²)",
    ),
    (
        "eligible",
        "符合 2018 年规则条件",
        "eligible under the 2018 rules",
    ),
    ("plot_far", "留用地容积率", "plot FAR"),
    ("planned_far", "规划容积率", "planned FAR"),
    ("findings_count", "问题数", "findings"),
    ("violations", "违反规则数", "violations"),
    ("status", "状态", "status"),
    ("reason", "原因", "reason"),
    ("tenure", "权属类型", "tenure"),
    ("area_m2", "面积 (m²)", "area (m²)"),
    ("area_inside_m2", "范围内面积 (m²)", "inside (m²)"),
    ("counted_area_m2", "计入面积 (m²)", "counted (m²)"),
    ("zones", "密度分区 (m²)", "zones (m²)"),
    (
        "floor_area_m2",
        "现状建筑面积 (m²)",
        "existing floor area (m²)",
    ),
    ("parcel_id", "宗地编号", "parcel"),
    ("filter", "筛选", "filter"),
    // Chain.
    ("step", "步骤", "step"),
    ("formula", "公式", "formula"),
    ("value", "取值", "value"),
    ("key", "规则键", "rule key"),
    ("source", "出处", "source"),
    ("value_status", "取值性质", "status"),
    ("coefficients", "系数", "coefficients"),
    ("class", "类别", "class"),
    ("use", "用途", "use"),
    ("share", "比例", "share"),
    ("k", "取值比例 k", "share k"),
    ("band", "强度区间", "band"),
    ("combination", "组合方式", "combination"),
    ("facilities", "配套设施", "facilities"),
    (
        "shared_max_ratio",
        "共享容积上限比例",
        "shared floor-area cap ratio",
    ),
    (
        "shared_requested_ratio",
        "共享容积申请比例 r",
        "requested shared ratio r",
    ),
    ("disposition", "处置方式", "disposition"),
    ("government_m2", "政府 (m²)", "government (m²)"),
    (
        "holders_market_m2",
        "权利人市场化 (m²)",
        "holders, market (m²)",
    ),
    (
        "shared_ownership_m2",
        "共有产权 (m²)",
        "shared ownership (m²)",
    ),
    (
        "min_far",
        "深标基准容积率（下限）",
        "深标 base FAR (minimum)",
    ),
    ("cap_far", "深标容积率上限", "深标 FAR cap"),
    ("excluded_parcels", "不计入宗地", "excluded parcels"),
    ("buyback", "政府回购比例", "government buy-back ratio"),
    ("min_contiguous", "连片面积下限", "minimum contiguous area"),
    // Siting.
    ("required_m2", "应留用土地 (m²)", "required (m²)"),
    ("inside_m2", "范围内选址 (m²)", "inside sites (m²)"),
    ("outside_m2", "范围外 (m²)", "outside (m²)"),
    ("shortfall_m2", "不足 (m²)", "shortfall (m²)"),
    ("surplus_m2", "富余 (m²)", "surplus (m²)"),
    (
        "price_onsite",
        "项目范围内地价 (元/m²)",
        "on-site price (yuan/m²)",
    ),
    ("site_id", "选址编号", "site"),
    ("placement", "位置", "placement"),
    ("price", "地价 (元/m²)", "price (yuan/m²)"),
    (
        "onsite_rights_m2",
        "携带权益容积 (m²)",
        "rights carried (m²)",
    ),
    (
        "converted_m2",
        "异地折算权益容积 (m²)",
        "converted rights (m²)",
    ),
    ("code", "代码", "code"),
    ("severity", "级别", "severity"),
    ("message", "内容", "message"),
    ("role", "图层", "layer"),
    ("path", "路径", "path"),
    ("features", "要素数", "features"),
    ("repairs", "修复", "repairs"),
    ("problems", "几何问题", "problems"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_unique_and_both_languages_filled() {
        for (i, (k, zh, en)) in LABELS.iter().enumerate() {
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
            assert!(LABELS[i + 1..].iter().all(|(o, _, _)| o != k), "{k} twice");
        }
    }

    #[test]
    fn lang_parses_and_falls_back_to_the_code() {
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert_eq!("ZH".parse::<Lang>(), Ok(Lang::Zh));
        assert!("fr".parse::<Lang>().is_err());
        assert_eq!(Lang::Zh.t("counted"), "计入");
        assert_eq!(Lang::En.t("no_such_label"), "no_such_label");
    }
}
